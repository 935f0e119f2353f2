"""Bylines -> the people who wrote the story, the same way for every reader.

"By Jane Roe and John Doe, AP Writer | Nov 18, 2019" is two authors, "Jane Roe, John Doe":
prefixes ("By", "Von", "Por" ...), job titles, credentials, dates and reading times go; a news
agency or the publication itself is not an author. The stored form is the names joined by ", "
(`split_authors` reads it back).
"""

from __future__ import annotations

import re
import unicodedata

# "By", "Written by", "Von", "Por", "Par", "Door", "Di", "Av", "Af", "Oleh", "Text:", "Autor:", "Yazar:" ... before
# the names ("di Mario Rossi" and "de Ion Popescu" in lower case only: "Di Maio" and "De Vries" are surnames).
_BY_PREFIX = re.compile(
    r"^(?:(?:posted|written|story|words|analysis|reporting|text|reported)\s+)?by\b\s*:?\s*"
    r"|^(?:author|authors|text|autor|autorin|autoren|auteur|autore|redakcja|автор|von|por|par|door|di|av|de|af"
    r"|yazar|szerző|teksti|tekst|texto|testo|penulis|oleh|συντάκτης|लेखक|כותב|מאת|نویسنده|โดย)\s*:\s*"
    r"|^(?:von|por|par|door|av|af|oleh|του|της|των|מאת|โดย|بقلم)\s+(?=[^\W\d_])|^(?-i:(?:di|de)\s+(?=[A-ZÀ-ÞĀ-ſ]))"
    r"|^(?:(?:eingestellt|erstellt|geschrieben|verfasst|artikel|beitrag)\s+von|author)\b\s*:?\s*"
    # "author:", "text:", "text/photos:" (zh, ja, ko); Arabic "by the pen of"
    r"|^文[/／]图\s*[:：]?\s*|^(?:作者|撰文|执笔|采写|文|بقلم|كتب)\s*[:：/／・]\s*|^글\s+",
    re.I)
# "责任编辑：孔德明", "Edited by Jane Roe", "Editor: Jane Roe": who edited the story, not who wrote it
_EDITOR = re.compile(r"^[\[【(（]?\s*(?:(?:责任)?编辑|(?:責任)?編輯|edited\s+by\b|editors?\s*:|bearbeitet\s+von\b|"
                     r"redigiert\s+von\b|editado\s+por\b|rédaction\s*:)", re.I)
# "— Jane Roe", "-- Jane Roe": a signature under the story; "// By Jane Roe • Nov 11, 2020": a mark set before
LEAD_MARK = re.compile(r"(?:--|[—–―]|[/|•·»>]{1,2})\s*")
# "Photo by Jane Roe", "Foto: Max Muster": who took the picture, not who wrote the story
_PHOTO_CREDIT = re.compile(r"^(?:photos?|photographs?|pictures?|images?|fotos?|bilder?)\s*(?:by\b|von\b|:)", re.I)
# "김철수 기자", "山田太郎記者": the name, then "reporter" or "correspondent"
_REPORTER_AFTER = re.compile(r"\s*(?:기자|특파원|記者|记者|特派員)$")
# "2020-10-04 15:05 聯合報 記者林宸誼／即時報導", "本报记者 张三": the name follows "reporter"; "／" ends it
# "观察者网专栏作者 王文", "《棱镜》作者 周纯", "职工通讯员 李琴雯": the same with "author" and "correspondent"
_REPORTER = re.compile(r"(?:記者|记者|作者|通讯员|通訊員)\s*(?=\S)")
# "陈智 整合", "张三 综合报道": what the reporter did (compiled, reported) after the name
# (关注: a "follow" button after an account's name)
_CJK_ROLE_AFTER = re.compile(r"\s+(?:整合|综合|綜合|编译|編譯|报道|報導|撰稿|摄影?|攝影?|关注|關注)(?:报道|報導)?$")
# "段彦超 廖艳": Chinese names (two to four characters) side by side are several people
_CJK_NAMES = re.compile(r"[\u3400-\u9fff]{2,4}(?:\s+[\u3400-\u9fff]{2,4})+")
# "16th Jan 2008, 09:28am by Jane Roe": the names after a short date
_LATE_BY = re.compile(r"\s(?:by|von|por|par)\s+(?=[A-ZÀ-ÞĀ-ſ])", re.I)
MAX_DATE_BEFORE_BY = 40
_AUTHOR_CUT = re.compile(
    r"\s*(?:[|•·@—–(©／]|\bcopyright\b|\s-\s|,\s+in\s|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\bon\s+\w+\s+\d|"
    r"\s(?:am|vom|le|du|el|del|il)\s+(?:\d|(?:mon|diens|donners|frei|sams|sonn)tag|mittwoch|sonnabend|lundi|"
    r"mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)|"
    r"\b(?:updated|published|posted|last updated|follow|aktualisiert|veröffentlicht|publié|publicado)\b|"
    r"\b(?:edited|compiled|translated)\s+by\b|(?:责任)?编辑\s*[:：]|(?:責任)?編輯\s*[:：]|"  # "..., edited by Jane Roe"
    # "; Photos by John Doe", "with additional reporting by ...", "Special to The Globe and Mail", "of the Los
    # Angeles Times", "is a freelance writer": who took the pictures, who helped, where she writes, who she is
    r"\b(?:photos?|photographs?|pictures?|images?|videos?|illustrations?|graphics?)\s+by\b|"
    r"\b(?:with\s+)?(?:additional\s+)?reporting\s+by\b|\bspecial\s+to\b|\s(?-i:of\s+the)\s|\s(?-i:is\s+an?)\s|"
    r"\b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b\d{1,2}\.?\s+(?:de\s+)?[^\s\d]{2,}\s+(?:de\s+)?\d{4}\b|"  # "15 de enero de 2024", "15 января 2024"
    r"\s(?-i:[Ff]or)\s+(?=(?-i:[A-Z]))|"  # "Jane Roe For Dailymail.com": the outlet she writes for
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"\d{1,2}[/.] ?\d{1,2}[/.] ?\d{2,4}|\b\d{4}\b|\b\d+\s*min\b|\b\d+\s+(?:hours?|days?)\s+ago\b).*$",
    re.I)
_ROLE = re.compile(
    r"\b(?:writer|editor|editors|correspondent|reporter|columnist|contributor|staff|producer|journalist|"
    r"editor-at-large|bureau|editorial|developers|members|contributors|redaktion|newsroom|news desk|desk|team|"
    r"rédaction|redacción|redazione|redactie|redakcja|redakce|toimitus|szerkesztőség|редакция|редакція|"
    r"編集部|编辑部|편집국|"
    r"sponsored|sponsor|gesponserte?|anzeige|werbung|advertorial|publicidad|publicité)\b|ब्यूरो",
    re.I)  # an advertiser's slot ("von Gesponserte Inhalte") names no person either
# words that follow a name in "JOSEPH WHITE AP Sports Writer", "Jessica Wang Editorial Assistant":
# where they start, the name ends
_AFTER_NAME = frozenset({
    "senior", "staff", "sports", "sport", "political", "chief", "special", "national", "foreign", "associate",
    "assistant", "editorial", "contributing", "deputy", "managing", "executive", "business", "technology",
    "science", "health", "entertainment", "investigative", "legal", "wire", "freelance", "guest", "associated",
    "the", "daily", "news", "press", "writer", "editor", "correspondent", "reporter", "columnist", "contributor",
    "producer", "journalist",
    # the same in other languages: "LAURE BRETTON Envoyés spéciaux à Toulouse", "Ana Roe, corresponsal en Roma"
    "envoyé", "envoyée", "envoyés", "envoyées", "correspondant", "correspondante", "correspondants", "journaliste",
    "rédacteur", "rédactrice", "korrespondent", "korrespondentin", "redakteur", "redakteurin", "enviado", "enviada",
    "enviados", "corresponsal", "periodista", "redactor", "redactora", "inviato", "inviata", "corrispondente",
    "giornalista", "correspondente", "jornalista", "repórter",
})
# a publication, broadcaster or body, not a person: "CBS News", "AUTO ZEITUNG", "Press Trust Of India",
# "Deutscher Caritasverband", "The Times-Picayune"
_MEDIA_WORD = re.compile(
    r"^(?:the|die|der|das)\s|\b(?:news|press|presse|online|journal|gazette|herald|tribune|times|channel|tv|radio|"
    r"magazine|magazin|verlag|institute|institut|university|universität|ministry|gmbh|ltd|inc|llc|newsdesk|"
    r"newswire|wire|insider|business|network|international|media|digital|interactive|agency|agence|"
    r"agencia|agentur|jornal|diario|diário|periódico|revista|giornale|finance|sports|información|informação|informazione|"
    # bodies and firms: "Deutsches Rotes Kreuz", "Courant Communiste Révolutionnaire", "Movetec GmbH"
    r"association|associação|asociación|associazione|society|société|sociedad|foundation|fondation|fundación|"
    r"fundação|stiftung|verein|partei|party|parti|partido|committee|comité|federation|fédération|federación|"
    r"union|club|department|ministère|ministerio|police|polizei|government|regierung|gouvernement|gobierno|"
    r"council|municipality|hospital|klinik|klinikum|museum|kirche|zentrum|llc|plc|corp|kreuz|communiste|"
    r"communist|kommunistische|socialiste|sozialistische|"
    # publishers: "Ediciones El País", "Editora Globo", "Gruppo Editoriale L'Espresso", "Bonnier Group"
    r"ediciones|editora|editions|éditions|edizioni|editoriale|group|groupe|grupo|gruppo|noticias|notícias|"
    r"новости|издательство)\b|"
    r"\b\w*(?:nachrichten|zeitung|verband|fraktion|ministerium|magazin|presse|verlag|redaktion)\b|"
    # Chinese outlets by their last word: paper, site, agency, station, news, weekly, channel, media
    # ("新京报", "环球网", "参考消息", "新浪科技"); a person's name (two to four characters) ends in none of them
    r"[\u3400-\u9fff]{2}(?:报|報|网|網|社|台|新闻|新聞|消息|日报|日報|晚报|晚報|周刊|週刊|杂志|雜誌|频道|頻道|传媒|傳媒|媒体|媒體|"
    r"综合|綜合|科技|财经|財經|资讯|資訊|客户端)$", re.I)
_DOMAIN_NAME = re.compile(r"\w\.(?:com|net|org|info|biz|news|de|at|ch|uk|fr|es|it|nl|in|kz|ru|pl|us|ca|au|tv|io)$",
                          re.I)
_NOT_IN_NAMES = re.compile(r"[{}\[\]<>=#*+|\\]")  # pieces of code or markup (quotes may hold a nickname)
# a sentence in Chinese characters ("若本站收录的文章侵犯了您的权益", a copyright notice): names are short
# no one: "guest", "unknown", "未知" (unknown), "佚名", "匿名" (anonymous), "网络整理" (compiled from the web)
_NOBODY = frozenset({"guest", "anonymous", "unknown", "未知", "佚名", "匿名", "网络整理", "网络"})
_HAN_SENTENCE = re.compile(r"[\u3400-\u9fff]{7,}|[。！？]")
_SITE_CREDIT = re.compile(r"\b(?:developed|designed|powered|hosted|maintained|built|programmed|crafted)\s+"
                          r"(?:with\W+)?by\b", re.I)
_CREDENTIAL = re.compile(r"[A-Z]{2,4}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|I{2,3}")
# Between two names: "and", "&", "und", "et", "y", "e", "og", "och", "ve", "и" (lower case only; "AND" in an
# upper-case byline).
_SEPARATOR = re.compile(
    r"\s*(,|;|/|\band\b|\bAND\b|&|\bund\b|\bet\b|\by\b|\be\b|\bog\b|\boch\b|\bve\b|\bи\b|、|，)\s*")
# "Politik · Jochen Bittner, Tina Hildebrandt", "Opinion | Jane Roe": one word (the section) before a
# separator, then a name of two capitalised words: the label goes, the names stay
_SECTION_LABEL = re.compile(r"^[^\W\d_]+\s*[·•|]\s*(?=[A-ZÀ-Þ][^\W\d_]+\.?\s+[A-ZÀ-Þ])")
# "[田中宏昌，ITmedia]", "【文・山田太郎】": a byline in brackets, as Japanese sites write it
_BRACKETED = re.compile(r"^\s*[\[［【〔]\s*([^\[\]［］【】〔〕]+?)\s*[\]］】〕]\s*$")
# "Finian Cunningham. Sputnik International": a full stop after a name's last word (not an initial,
# not "Dr.", "Mrs."), then the outlet
_FULL_STOP_AFTER_NAME = re.compile(r"(\s[A-ZÀ-Þ]\w*[a-zß-ÿ]{2})\.\s+(?=[A-ZÀ-Þ])")

# Wire services credited in bylines; they are sources, not authors.
_AGENCIES = frozenset({
    "ap", "associatedpress", "theassociatedpress", "reuters", "thomsonreuters", "afp", "agencefrancepresse",
    "dpa", "deutschepresseagentur", "apa", "sda", "keystonesda", "kna", "epd", "dapd", "ddp", "sid", "ansa",
    "efe", "europapress", "kyodo", "kyodonews", "jiji", "jijipress", "yonhap", "xinhua", "tass", "rianovosti",
    "interfax", "pti", "ians", "ani", "uni", "upi", "aap", "cp", "thecanadianpress", "canadianpress", "pa",
    "pamedia", "pressassociation", "ntb", "tt", "ritzau", "stt", "belga", "anp", "lusa", "anadolu",
    "anadoluagency", "aa", "bernama", "cna", "wafa", "mena", "irna", "bloomberg", "bloombergnews", "cnnwire",
    "tribunenewsservice", "nyt", "nytimes", "agencies", "agency", "wires", "wireservices", "newswire",
    "agenturen", "agences",
})
# "Jane Roe (with John Doe and Max Mustermann)": more names; "Richard (R.J.) Eskow", "Jane Roe (AP)": not names
_WITH_NAMES = re.compile(r"\(\s*(?:with|avec|mit|con|com|met)\s+([^()]*)\)", re.I)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
# "Associated Press in Valencia", "Guardian staff in London": where the story was filed, not a name
_FILED_IN = re.compile(r"\s+in\s+[A-ZÀ-Þ][\w.-]*(?:\s+[A-ZÀ-Þ][\w.-]*)?$")
# lower-case words inside a name ("Ursula von der Leyen", "Ibn al Haytham"); any other is a phrase
# ("Themen bearbeiten", "About the author", "Ad Operations at IAB")
_PARTICLES = frozenset({"von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "des", "la", "le", "ten",
                        "ter", "zu", "bin", "ibn", "al", "el", "y", "e", "dos", "das", "do", "af", "op", "los", "las",
                        "dei", "degli", "vom", "zur"})
# a particle joined to the capitalised word it goes with: "al-Baghdadi", "el-Sisi", "d'Artagnan", "dell'Orto"
_JOINED_PARTICLE = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|an|ud|d|dall|dell)['’-][A-ZÀ-Þ]")
_PREFIX_ALONE = frozenset({"by", "von", "por", "par", "door", "di", "av", "af", "de", "oleh", "text", "autor", "author",
                           "автор", "yazar"})
_AGENCY_TAIL = re.compile(r"\s+(?:deutschland|france|españa|espana|italia|news|wire|photo|foto|file|media|sports?)$",
                          re.I)  # "AP File": the agency's file photo


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", name).casefold())


def is_agency(name: str) -> bool:
    """A wire service ("AP", "The Associated Press", "dpa", "AFP Deutschland"), not a person."""
    name = " ".join(name.split())
    return _key(name) in _AGENCIES or _key(_AGENCY_TAIL.sub("", name)) in _AGENCIES


# "By Jane Roe jroe@example.com", "김철수 기자 kim@example.com": the writer's address after the name
_EMAIL = re.compile(r"(?:\be-?mail\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


def _names_in(raw: str, from_text: bool, handle: bool, marked: bool = False) -> tuple[list[str], bool]:
    """Names in one byline string: "By A and B, AP Writer | Nov 18" -> ["A", "B"]; and whether it
    credits an agency, an outlet or a desk."""
    text = _EMAIL.sub(" ", " ".join(raw.split())).strip()
    if _SITE_CREDIT.search(text) or _PHOTO_CREDIT.match(text) or _EDITOR.match(text):
        return [], False  # "Developed by Jane Roe", "by Jane Roe | Designed by X": who built the site
    lead = LEAD_MARK.match(text)
    text = text[lead.end():] if lead else text
    late = _LATE_BY.search(text, 0, MAX_DATE_BEFORE_BY + 5)
    if late and any(c.isdigit() for c in text[:late.start()]):
        text = text[late.end():]
    text = _SECTION_LABEL.sub("", _BY_PREFIX.sub("", _BRACKETED.sub(r"\1", text)))
    reporter = _REPORTER.search(text)
    if reporter:
        text = text[reporter.end():]
    text = _PARENTHESIS.sub("", _WITH_NAMES.sub(r", \1", text))
    text = _AUTHOR_CUT.sub("", text)
    text = _CJK_ROLE_AFTER.sub("", text)
    if _CJK_NAMES.fullmatch(text):  # not a platform's account label ("扬眼 企鹅号": the account 扬眼 on QQ)
        text = ", ".join(w for w in text.split() if not w.endswith("号"))
    if text.endswith((":", "：")):  # also "黄斌汉：" opening a reader's comment
        return [], False  # "Stand: 20. April 2020": a label, then a date
    text = re.sub(r"(?:\s+(?:on|at|am|um|el|le|il))+\s*$", "", text)  # "... Minh Do on [Monday]"
    text = _FULL_STOP_AFTER_NAME.sub(r"\1, ", text)
    names: list[str] = []
    lower_case = (marked or handle) and not any(c.isupper() for c in text)  # a byline set in lower case
    pieces = _SEPARATOR.split(text)
    after_credit = took_last = credited = False
    for i in range(0, len(pieces), 2):
        sep = pieces[i - 1].lower() if i else ""
        part = _name_before_role(_FILED_IN.sub("", _REPORTER_AFTER.sub("", _BY_PREFIX.sub(
            "", pieces[i].strip(" ,;:|-–—.·")))))
        if sep in (",", ";", "/") and after_credit:
            took_last = False
            continue  # "Nada Tawfik, BBC News, New York", "PTI, Washington": where it was filed
        if sep in ("e", "y") and took_last and len(names[-1].split()) > 1 and re.fullmatch(r"[A-ZÀ-Þ]\w+", part):
            names[-1] += f" {sep} {part}"  # "José Volta e Pinto", "Ortega y Gasset": one name
            continue
        credit_before, took_last, after_credit = after_credit, False, False
        if not part or part.lower() in _PREFIX_ALONE or len(_key(part)) < 2 \
                or _NOT_IN_NAMES.search(part) or _DOMAIN_NAME.search(part) or _HAN_SENTENCE.search(part):
            continue
        if is_agency(part) or _is_media(part) or _ROLE.search(part) or part.isalpha() and part.isupper() \
                or credit_before and " " not in part \
                or part.isupper() and names and not names[-1].isupper():  # "Jane Roe, USA TODAY": the outlet
            after_credit = credited = True  # an agency, an outlet, a desk, or an acronym ("CBS", "BNS")
            continue
        styled = lower_case and _is_lower_name(part)  # "jane doe": capitals left to the style sheet
        if styled:
            part = " ".join(w if w in _PARTICLES else w.capitalize() for w in part.split())
        user_name = handle and bool(_HANDLE.fullmatch(part))  # "Slaytanic40oz" in a rel=author link
        if (len(part) > 60 or len(part.split()) > 5 or re.search(r"\d", part) and not user_name
                or from_text and not styled and any(map(_sentence_word, part.split()[1:]))
                or "admin" in part.lower() or part.lower() in _NOBODY
                or part[0].islower() and not styled and not (handle and " " not in part) or "@" in part):
            continue  # a job title, a date or a sentence
        if names and (len(names[0].split()) > 1 or _is_cjk(names[0])) and (
                _CREDENTIAL.fullmatch(part) or len(part.split()) == 1 and not _is_cjk(part)):
            continue  # "Jane Roe, MS, RDN", "Jane Roe, Futurism", "田中宏昌，ITmedia": credentials and outlets
        names.append(part)
        took_last = True
    return names, credited


def _sentence_word(word: str) -> bool:
    """A lower-case word that is no part of a name ("bearbeiten" in "Themen bearbeiten"; not "de", "al-Assad")."""
    return word[0].islower() and word not in _PARTICLES and not _JOINED_PARTICLE.match(word)


# words of a lower-case line that is no name ("more stories", "share this", "2 min read", "blue sagt")
_NOT_LOWER_NAME = frozenset({
    "by", "and", "the", "of", "in", "on", "at", "to", "for", "with", "from", "about", "a", "an", "is", "this",
    "more", "read", "share", "view", "all", "posts", "post", "stories", "articles", "profile", "follow", "email",
    "comments", "comment", "reply", "min", "ago", "posted", "updated", "says", "said", "sagt", "news", "staff",
    "author", "authors", "editor", "reporter", "writer", "und", "mit", "im", "et", "les", "des", "du", "por", "los",
    "sign", "login", "see", "our", "your", "my", "home", "menu", "search", "contact", "subscribe",
})
_HANDLE = re.compile(r"[^\W\d_][\w.-]*[^\W\d_][\w.-]*")  # "Slaytanic40oz", "jdoe22": a user name with digits


def _is_lower_name(part: str) -> bool:
    """ "jane doe", "ursula von der leyen": two to four lower-case words that may be a name."""
    words = part.split()
    return (2 <= len(words) <= 4 and all(w.isalpha() and len(w) > 1 for w in words)
            and words[0] not in _PARTICLES and words[-1] not in _PARTICLES
            and not any(w in _NOT_LOWER_NAME for w in words))


# a capitalised word of a name: "Mühlbauer", "O'Brien", "Neuberg-Vural", "C.", "BRETTON"
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?")
# words that open a line of the page's furniture, capitalised like a name ("Last Updated", "Read More")
_NOT_NAME_WORDS = frozenset({
    "published", "updated", "posted", "modified", "last", "read", "more", "share", "follow", "comments", "related",
    "news", "home", "latest", "top", "breaking", "live", "watch", "video", "photos", "advertisement", "sponsored",
    "staff", "editor", "editors", "reporter", "correspondent", "subscribe", "sign", "log", "newsletter", "opinion",
})


def is_bare_name(text: str) -> bool:
    """A line that is only a person's name, two to four capitalised words ("Dan Goodin", "John C. Welch",
    "Anne-Marie Slaughter", "Ursula von der Leyen"): the byline a page sets without "By" beside its date."""
    words = text.split()
    named = [w for w in words if w not in _PARTICLES]
    return (len(text) <= 40 and 2 <= len(named) <= 4 and words[0] not in _PARTICLES and words[-1] not in _PARTICLES
            and all(w[0].isupper() and _NAME_WORD.fullmatch(w) and not w.endswith(("'s", "’s")) for w in named)
            and (text.isupper() or not any(w.isupper() and len(w.strip(".")) > 1 for w in named))  # not "PTI Mumbai"
            and not any(w.lower().strip(".") in _NOT_NAME_WORDS for w in named)
            and sum(len(w.strip(".")) > 1 for w in named) >= 2)


def is_by_word(text: str) -> bool:
    """A line that is only "by" ("von", "por", ...): the byline's names follow on the next line."""
    return text.strip(" :").lower() in _PREFIX_ALONE


def edited_by(raw: str) -> list[str]:
    """ "责任编辑：孔德明", "Edited by Jane Roe": the names a line credits as the story's editors."""
    text = " ".join(raw.split())
    found = _EDITOR.match(text)
    return _names_in(text[found.end():].strip(" :：[]【】()（）"), True, False)[0] if found else []


def credits_no_person(raw: str) -> bool:
    """ "By SOA World Magazine News Desk", "von dpa, unserer Redaktion": a byline that credits
    an agency, an outlet or a desk and names nobody."""
    names, credited = _names_in(raw, True, False)
    return credited and not names


# a German job title's adjective, set before its noun ("Landespolitische Korrespondentin", "Leitender Redakteur")
_TITLE_ADJECTIVE = re.compile(r"\w+(?:isch|lich)(?:e|er)|\w{4,}ende[r]?")


def _name_before_role(part: str) -> str:
    """ "JOSEPH WHITE AP Sports Writer" -> "JOSEPH WHITE": a name of two words or more ends
    where an agency, a job title or the outlet (in capitals after a name that is not) begins."""
    words = part.split()
    if len(words) >= 3 and is_agency(words[0]):
        words = words[1:]  # "Reuters Snejana Farberov": the agency, then the name
        part = " ".join(words)
    ends = [i for i, w in enumerate(words) if w.lower() in _AFTER_NAME or w.isupper() and is_agency(w)]
    if ends and ends[0] >= 2:  # not "AP Business Writer", "OUR SPECIAL CORRESPONDENT": no name before
        end = ends[0]
        while end > 2 and _TITLE_ADJECTIVE.fullmatch(words[end - 1]):  # "Landespolitische Korrespondentin"
            end -= 1
        return " ".join(words[:end])
    upper = len(words)
    while upper > 0 and words[upper - 1].isalpha() and words[upper - 1].isupper() and len(words[upper - 1]) > 1:
        upper -= 1
    if upper >= 2 and len(words) - upper >= 2 and not any(w.isupper() for w in words[:upper]):
        return " ".join(words[:upper])  # "Marc Kaufman WASHINGTON POST": the outlet in capitals
    return part


def _is_media(name: str) -> bool:
    """A publication, broadcaster, body or firm ("CBSNews" read as "CBS News", "Tamedia AG"), not a person."""
    return bool(_MEDIA_WORD.search(name) or _LEGAL_FORM.search(name)
                or _MEDIA_WORD.search(re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)))


# a firm's legal form closing its name (upper case as firms write it: "Sa" or "Se" may end a person's name)
_LEGAL_FORM = re.compile(r"\s(?:AG|SE|SA|S\.A\.?|SAS|SARL|SRL|S\.L\.?|S\.p\.A\.?|SpA|BV|B\.V\.?|NV|N\.V\.?|AB|ASA|"
                         r"Oyj?|KG|A/S|Pty|K\.K\.|Co\.)$")


def _is_cjk(text: str) -> bool:
    return bool(re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text))


# articles that open a publication's name ("The Verge", "Die Zeit", "Les Echos", "Le Figaro", "L'Opinion")
_ARTICLES = frozenset({"the", "die", "der", "das", "le", "la", "les", "l", "el", "il", "lo", "los", "las"})


def opens_with_article(name: str) -> bool:
    """ "Les Echos", "Le Figaro": a name that opens with an article names a publication, not a person."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", name).casefold())
    return len(words) > 1 and words[0] in _ARTICLES


def _site_keys(publication: str | None, domain: str | None) -> tuple[set[str], set[str]]:
    """The publication's keys (its name, and without a leading article or a trailing "Blog":
    "Jerusalem Post" for "The Jerusalem Post", "Beachbody" for "The Beachbody Blog"), and the short
    forms a one-word credit may take: its initials ("LTO" for "Legal Tribune Online", "TPN" for
    "The Portugal News") and the domain's name ("lto" in lto.de). A two-word name is never matched
    with the short forms ("janeroe.com" by Jane Roe)."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", publication or "").casefold())
    short = set()
    sites = {"".join(words)}
    if len(words) >= 2:
        short.add("".join(w[0] for w in words))
        if words[0] in _ARTICLES:
            short.add("".join(w[0] for w in words[1:]))
            words = words[1:]
        sites.add("".join(words))
        if len(words) == 2 and words[-1] == "blog":  # not "The Jane Roe Blog": she may sign it
            sites.add(words[0])
    if domain:
        short.add(_key(domain.removeprefix("www.").split(".")[0]))
    return sites - {""}, short - {""}


def normalise_byline(values: str | list[str] | None, publication: str | None = None,
                     domain: str | None = None, *, from_text: bool = False, handle: bool = False,
                     marked: bool = False) -> str | None:
    """The authors named in one or more byline strings, each once, joined by ", ";
    None when no person is named (an agency, `publication` or its short form alone is no author).
    `from_text`: the strings are a page's visible text, not declared metadata, so a phrase with
    a lower-case word ("Themen bearbeiten", "About the author") is no name. `handle`: the string is
    an element marked as the author (`rel=author`, `itemprop=author`), so a one-word user name in
    lower case ("graciasmith-ny") or with digits ("Slaytanic40oz") is the author's. `marked` (implied
    by `handle`): the string is an element whose class names the author ("articleAuthor"), so a name
    set in lower case, all of it ("jane doe", capitals left to the style sheet), is a name ("Jane Doe")."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    sites, short = _site_keys(publication, domain)
    seen: list[str] = []
    for raw in values:
        if not isinstance(raw, str) or not raw.strip() or raw.strip().startswith(("http://", "https://", "www.")):
            continue
        if _key(_BY_PREFIX.sub("", raw.strip())) in sites:
            continue  # "Mac & i" on Mac & i's pages: the publication, whatever its name holds
        for part in _names_in(raw, from_text, handle, marked)[0]:
            if _key(part) in sites or " " not in part and _key(part) in short:
                continue
            low = part.lower()
            if any(low in s.lower() for s in seen):
                # "Tom Davies" after "Tom Davies Associated Press": keep the shorter
                seen = [part if low in s.lower() else s for s in seen]
            elif not any(s.lower() in low for s in seen):
                seen.append(part)
    return ", ".join(seen) if seen else None


def split_authors(author: str | None) -> list[str]:
    """The names in a stored author field (the form `normalise_byline` writes)."""
    return [name.strip() for name in (author or "").split(", ") if name.strip()]
