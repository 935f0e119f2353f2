"""Pages that hold no story: their main area's lists, tables and like items are the body.

Google-Trends-2017 (GPL-3.0, not copied here) has such pages among its news: a TV show's episode
guide, a full cast-and-crew page, a recipe, a dog breed's facts, a shop's product page. A cleaner
built for stories gave one prose chunk of them (one episode's summary, one table) or dropped their
list and table text. The pages below are written to the shape of those pages, with invented text.
Stories beside a list or under a logo's <h1> keep their body as before.
"""

from __future__ import annotations

from indexer.ingest.html import clean_html
from indexer.ingest.pagekind import holds_no_story, may_hold_no_story

NAV = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in ("Home", "Movies", "TV Shows", "Celebrities",
                                                                    "News", "Community", "Sign in"))
SIDEBAR = "".join(f'<li><a href="/list{i}">Readers\' list number {i} of the best shows this year</a></li>'
                  for i in range(8))


def _page(title: str, main: str, og_title: str | None = None) -> str:
    """A site's page: a menu bar over a main column and a sidebar of links, a footer under them."""
    meta = f'<meta property="og:title" content="{og_title}">' if og_title else ""
    return (f"<html><head><title>{title}</title>{meta}</head><body>"
            f'<div class="navbar"><ul class="main_nav">{NAV}</ul></div>'
            f'<div class="pagecontent"><div class="main">{main}</div>'
            f'<div class="sidebar"><h3>Related lists</h3><ul>{SIDEBAR}</ul></div></div>'
            '<div class="footer"><p>Copyright 1990-2018 Example Film Pages, Inc.</p></div></body></html>')


EPISODES = [
    ("The Harbour at Night", "Mara and Tobias cross paths with an old friend while rival crews fight over the docks."),
    ("A City Without Lights", "Tobias tries to broker a truce. Anna crashes her brother's auction and plays cupid."),
    ("The Quiet Partner", "To ease the tension at home, Mara and Tobias host a dinner party. A stranger warns them."),
    ("Target: The Lighthouse", "Anna's questioning of the stranger takes a turn, and Tobias gets an earful from Mara."),
    ("Heart of the Storm", "A new rival arrives in town and is itching to make his presence felt among the crews."),
    ("The Last Ferry", "In the season finale, the two crews collide as the fate of the harbour hangs in the balance."),
]


def test_an_episode_guide_gives_every_episode_not_the_longest_summary():
    # each episode a <div> of one class (a list without list markup): a linked title, a date and a
    # rating widget of ten links, then a summary of a sentence or two (each entry scored as a link list,
    # and the longest summary won alone); the guide's <h1> is not the show's name
    items = "".join(
        f'<div class="list_item"><div class="info"><div class="airdate">7 Sep. 2018</div>'
        f'<strong><a href="/ep{i}">{name}</a></strong><ul class="rating">'
        + "".join(f'<li><a href="/rate{i}/{n}">Rate {n}</a></li>' for n in range(1, 11))
        + f'</ul><div class="item_description">{summary}</div></div></div>'
        for i, (name, summary) in enumerate(EPISODES))
    main = (f'<div class="article listo"><div class="subpage_title_block"><h3>Harbour Lights (2017-2018)</h3>'
            f'<h1 class="header">Episode List</h1></div><div class="header episodes_content"><h3>Season 2</h3>'
            f'<div class="list detail eplist">{items}</div></div></div>')
    body = clean_html(_page("Harbour Lights - Season 2 - Example", main, "Harbour Lights (TV Series)")).body
    for _, summary in EPISODES:
        assert summary in body  # before: only the longest summary, one of six
    assert "Season 2" in body
    assert "Readers' list" not in body and "Celebrities" not in body and "Copyright" not in body


CREDITS = {
    "Series Directed by": [("Justine Lind", "(1 episode, 2018)")],
    "Series Writing Credits": [("Donald Berry", "(4 episodes, 2018)"), ("Eric Gunn", "(developed by) (4 episodes)")],
    "Series Produced by": [("John Davies", "executive producer (unknown episodes)"),
                           ("Jane Foxley", "executive producer (unknown episodes)")],
    "Series Music by": [("Keith Powers", "(1 episode, 2018)"), ("Brian Taylor", "(1 episode, 2018)")],
    "Series Art Department": [("Owen Nobu", "art department assistant (4 episodes, 2018)"),
                              ("Julie DeRoss", "set dresser (3 episodes, 2018)"),
                              ("Luisa Tupe", "set decoration coordinator (1 episode, 2018)")],
}
CAST = [("Jay Hernan", "Thomas Magnus"), ("Perdita Wicks", "Juliet Higgs"), ("Stephen Hale", "Theodore Calvin"),
        ("Zachary Knight", "Orville Wright"), ("Sung Kim", "Detective Gordon Kato"), ("Kimee Balm", "Dr. Noe Cunha")]


def test_a_cast_and_crew_page_gives_every_table_not_one():
    # a heading and a table per crew department; the tables' class and their wrapper's say "credits",
    # a strong boilerplate mark (a photo's credit line), and the names are links
    tables = "".join(
        f'<h4 class="dataHeaderWithBorder">{department}</h4><table class="simpleTable simpleCreditsTable"><tbody>'
        + "".join(f'<tr><td class="name"><a href="/n/{name.split()[0]}">{name}</a></td><td>...</td>'
                  f'<td class="credit">{credit}</td></tr>' for name, credit in people)
        + "</tbody></table>" for department, people in CREDITS.items())
    cast = ('<h4 class="dataHeaderWithBorder">Series Cast</h4><table class="cast_list"><tbody>'
            + "".join(f'<tr><td><a href="/a{i}">{actor}</a></td><td>...</td><td><a href="/c{i}">{role}</a> '
                      f'4 episodes, 2018</td></tr>' for i, (actor, role) in enumerate(CAST))
            + "</tbody></table>")
    main = (f'<div class="article listo"><div class="subpage_title_block"><h1 class="header">Full Cast &amp; Crew'
            f'</h1></div><div class="header fullcredits_content">{tables}{cast}</div></div>')
    body = clean_html(_page("Full Cast & Crew - Example", main, "Full Cast & Crew")).body
    for department, people in CREDITS.items():
        assert department in body
        for name, credit in people:
            assert name in body and credit in body  # before: the cast table alone
    assert "Jay Hernan ... Thomas Magnus 4 episodes, 2018" in body
    assert "Readers' list" not in body and "Copyright" not in body


def test_a_recipe_gives_its_ingredients_steps_and_nutrition():
    # no story: a list of ingredients, numbered steps, tips and a definition list of nutrition facts;
    # the recipe's own menu of tools (a search box's "menu") sits inside its area
    ingredients = ("4 quarts cold water", "1 cup kosher salt", "1 whole turkey (12 pounds), thawed",
                   "1 medium onion, cut into eighths", "2 tablespoons butter, melted")
    steps = ("Mix cold water and salt in a large clean stockpot; stir until the salt is dissolved. Add the turkey.",
             "Heat oven to 325 degrees. Remove the turkey from the brine and rinse it under cool running water.",
             "Roast uncovered for three and a half hours, brushing twice with pan drippings near the end.")
    nutrition = (("Calories", "325"), ("Total Fat", "15 g"), ("Sodium", "1,140 mg"), ("Protein", "44 g"))
    main = ('<div class="recipeDetail"><div class="recipeHeader"><h1>Brined Whole Turkey</h1>'
            '<div class="menuSearchMenu"><a href="/search">Search recipes</a></div></div>'
            '<div class="recipeIngredients"><h2>Ingredients</h2><ul>'
            + "".join(f"<li>{item}</li>" for item in ingredients) + '</ul></div>'
            '<div class="recipeSteps"><h2>Steps</h2><ol>' + "".join(f"<li>{step}</li>" for step in steps)
            + '</ol></div><div class="recipeNutrition"><h2>Nutrition Information</h2><dl>'
            + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in nutrition) + "</dl></div></div>")
    html = _page("Brined Whole Turkey Recipe - Example", main, "Brined Whole Turkey")
    body = clean_html(html).body
    for line in (*ingredients, *steps):
        assert line in body  # before: the three steps, not the ingredients
    assert "Calories" in body and "1,140 mg" in body
    assert "Readers' list" not in body and "Celebrities" not in body


def test_a_facts_page_gives_its_facts_tables_beside_its_description():
    # a breed's page: tables of label and value cells, then a table whose cells hold the description's
    # paragraphs under their headings (the description alone was the body, the facts left out)
    facts = (("Group:", "Herding"), ("Size:", "Small"), ("Life Span:", "12-15 years"), ("Height:", "10-12 inches"),
             ("Coat:", "Outercoat is dense and rough. Undercoat is thick and soft."), ("Gait:", "Smooth"),
             ("Colors:", "Red, sable, fawn, black or tan"), ("Exercise Need:", "Daily long walk"),
             ("Place of Origin:", "Wales"), ("Other Name:", "Corgi"))
    sections = (("Description", "The origin of the breed lies in the west of Wales, where it is one of the oldest "
                                "herding breeds, dating as far back as the twelfth century."),
                ("Care and Grooming", "It is an average shedder and sheds heavily in spring and autumn; its coat "
                                      "needs brushing two or three times a week."),
                ("Health Problems", "It is prone to a few health issues such as hip dysplasia and back problems."))
    main = ('<div class="breed"><div class="green_bar"><h1>Welsh Herding Corgi</h1></div>'
            '<div class="facts"><table>' + "".join(f'<tr><td class="label">{label}</td><td>{value}</td></tr>'
                                                   for label, value in facts) + '</table></div>'
            '<div class="information"><h2>Welsh Herding Corgi Information</h2><table>'
            + "".join(f'<tr><td><h3>{heading}:</h3><p>{text}</p></td></tr>' for heading, text in sections)
            + "</table></div></div>")
    body = clean_html(_page("Welsh Herding Corgi - Example", main, "Welsh Herding Corgi")).body
    for label, value in facts:
        assert f"{label} {value}" in body  # before: the description alone
    for heading, text in sections:
        assert f"{heading}:" in body and text in body
    assert "Readers' list" not in body


STORY = [f"The council met in its {n} session and voted on the plan to repair the old water pipes under the market "
         f"square, which have leaked for years." for n in ("first", "second", "third", "fourth", "fifth")]


def test_a_story_under_a_logo_heading_beside_boxes_of_lists_stays_the_story():
    # the page's only <h1> is the site's logo, so the element holding it and the story is the whole
    # template, menu included: the page, not a main area; the story stays as it is, boxes left out
    boxes = ('<div class="screens"><h2>Game Screenshots</h2><ul>' + "".join(f"<li>10th Oct 2007 shot {i}</li>"
                                                                           for i in range(10))
             + '</ul></div><div class="overview"><h2>Game Overview</h2><dl>'
             + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in (("Players", "Up to 4 Players"), ("Genre", "Fighting"),
                                                                ("Release Date", "9th Mar 2008 (USA)"),
                                                                ("Also Known As", "Super Brawlers 3")))
             + "</dl></div>")
    html = ('<html><head><title>Brawl awarded top score</title></head><body><div class="template">'
            '<div class="header"><h1>GameLife.com - For Your Game Life</h1><ul class="menu main-menu">'
            + NAV + '</ul></div><div class="main"><div class="text">'
            + "".join(f"<p>{s}</p>" for s in STORY[:3]) + f'</div></div><div class="sidebar">{boxes}</div>'
            "</div></body></html>")
    body = clean_html(html).body
    assert body == "\n\n".join(STORY[:3])


def test_a_story_beside_a_box_of_facts_is_a_story():
    # four paragraphs of prose and, beside them under the headline's element, a box of facts in a
    # table: the story is the body, the box stays out (the story is most of the text around it)
    rows = "".join(f"<tr><td>Pipe {i}</td><td>laid in {1950 + i}</td></tr>" for i in range(8))
    main = (f"<h1>Council approves the water plan</h1><div class='text'>{''.join(f'<p>{s}</p>' for s in STORY[:4])}"
            f"</div><div class='facts'><table>{rows}</table></div>")
    body = clean_html(_page("Council approves the water plan", f'<div class="story">{main}</div>')).body
    assert body == "\n\n".join(STORY[:4])


def test_what_makes_a_page_hold_no_story():
    # a listing: much more link-poor text around the body than in it, half of it in lists and tables,
    # and a body of few prose paragraphs or a small part of the area
    short = "A summary of one episode in a sentence or two, as an episode guide has for each of them."
    assert holds_no_story(short, area_chars=2000, listed_chars=1500)
    assert not holds_no_story(short, area_chars=2000, listed_chars=500)  # the area is mostly prose
    assert not holds_no_story(short, area_chars=len(short), listed_chars=len(short))  # nothing more around it
    story = "\n\n".join(STORY)  # five prose paragraphs
    assert not may_hold_no_story(story, 2 * len(story))
    assert may_hold_no_story(story, 5 * len(story))  # a fifth of the area: a part of a listing
