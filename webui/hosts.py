"""Which `Host` headers the server answers: the names it is bound to, never another.

A page on another site can make a browser send requests to 127.0.0.1 under the
other site's name, by pointing that name's DNS at 127.0.0.1 (DNS rebinding); the
browser then lets that site read the answers. Such a request carries the other
name in its `Host` header, so a request whose Host is not one of ours gets a 400
before any route (or redirect, which would echo the Host) runs.

`ALLOWED_HOSTS` in the app's config lists the accepted values: `name:port`
matches that pair, a bare `name` (from `--allowed-host`, say behind a proxy)
matches it on any port, and `*:port` matches any IP address on the port (a
server bound to 0.0.0.0 or :: has every address of the machine; an IP literal
is never a rebound name). A Host without a port means port 80.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
ANY_IP = "*"


def allowed_hosts(bound_host: str, port: int, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The Host values a server bound to `bound_host`:`port` answers to: the
    loopback names, the address it is bound to, and `extra` names."""
    names = list(LOOPBACK_NAMES)
    if bound_host in WILDCARD_BINDS:
        names.append(ANY_IP)
    else:
        names.append(_bracketed(bound_host))
    entries = [f"{name}:{port}" for name in dict.fromkeys(n.lower() for n in names)]
    return tuple(dict.fromkeys([*entries, *(name.strip().lower().rstrip(".") for name in extra if name.strip())]))


def host_allowed(host_header: str, allowed: Iterable[str]) -> bool:
    """Whether `host_header` (as sent) is one of `allowed` (see the module docstring)."""
    name, port = _split(host_header.strip().lower())
    if name is None:
        return False
    port = 80 if port is None else port
    for entry in allowed:
        entry_name, entry_port = _split(entry)
        if entry_port is not None and entry_port != port:
            continue
        if entry_name == name or (entry_name == ANY_IP and _is_ip(name)):
            return True
    return False


def _split(host: str) -> tuple[str | None, int | None]:
    """("name", port) from "name:port", "[v6]:port", "name" (port None for a
    pattern, 80 for a header: a browser leaves out :80). (None, None) if malformed."""
    name, sep, port_text = host.rpartition(":")
    if not sep or name.endswith(":") or (host.startswith("[") and not name.endswith("]")):
        # no port: "name", "[::1]"; a bare IPv6 address is not a valid Host
        name, port_text = host, ""
    if port_text and not port_text.isdigit():
        return None, None
    name = name.rstrip(".")
    if not name:
        return None, None
    return name, int(port_text) if port_text else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address and not address.startswith("[") else address
