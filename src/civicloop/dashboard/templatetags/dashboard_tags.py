"""Template helpers of the dashboard: one cell of a table, formatted for people."""

from django import template

from civicloop.dashboard.board import fmt

register = template.Library()


@register.filter
def cell(row: dict, key: str) -> str:
    """row[key] as shown in a table (rates as %, missing as —)."""
    value = row.get(key)
    if key == "value" and row.get("key"):
        return fmt(str(row["key"]), value)
    if key == "share" and isinstance(value, float):
        return fmt("rate", value)
    return fmt(key, value)


@register.filter
def grade_class(grade: str) -> str:
    return {"优": "g-a", "良": "g-b", "中": "g-c", "差": "g-d"}.get(grade, "g-none")
