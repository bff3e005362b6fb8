"""Walk every URL pattern, with sample arguments, for the access tests."""

import uuid

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_ARGUMENTS = {
    "int": "1",
    "uuid": str(uuid.UUID(int=1)),
    "slug": "sample",
    "str": "sample",
    "path": "sample",
}


def iter_patterns(resolver=None, prefix="", namespace=""):
    """Yield (full name, route with sample values) for every named URL."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_patterns(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = (
                f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            )
            yield name, _fill(route)


def _fill(route: str) -> str:
    import re

    def replace(match):
        converter = match.group(1) or "str"
        return SAMPLE_ARGUMENTS.get(converter, "sample")

    path = re.sub(r"<(?:(\w+):)?\w+>", replace, route)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + path
