"""`{% load registry %}{% panels "repair" repair %}`: the panels other apps registered for a page
(propserv.registry). The page's own app need not know which apps those are."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from propserv.registry import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, page: str, obj=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    html = []
    for panel in registry.panels_for(page, user):
        panel_context = panel.context(request, obj)
        if panel_context is None:
            continue
        html.append(render_to_string(panel.template, panel_context, request=request))
    return format_html_join("", "{}", ((mark_safe(part),) for part in html))  # noqa: S308 (rendered templates)  # nosec B308 B703 - templates rendered with autoescape
