"""The hosts' outcomes form on the live page; `rules.clean_outcomes` checks what it carries."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, StringField, TextAreaField, URLField

from networkfest.outcomes.rules import (
    MAX_LINKS,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
)

# Rows a host gets beyond the links already written, so that a page without JavaScript can
# add some; saving brings more, up to the limit.
SPARE_ROWS = 3


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LinkRow(Form):
    """One link: a title and an address. Both empty: the row is left out."""

    title = StringField("Title", filters=[_strip], render_kw={"maxlength": MAX_TITLE_LENGTH})
    url = URLField(
        "Address (http:// or https://)", filters=[_strip], render_kw={"maxlength": MAX_URL_LENGTH}
    )


class OutcomesForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """A multipart part whose name werkzeug cannot read arrives named None, which
            WTForms' lists cannot sort out (a 500): nothing of this form is unnamed, so such
            parts are left out."""
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            return MultiDict([(k, v) for k, v in data.items(multi=True) if isinstance(k, str)])

    summary = TextAreaField(
        "Summary (Markdown: *emphasis*, lists, links)",
        render_kw={"maxlength": MAX_SUMMARY_LENGTH, "rows": 8},
    )
    links = FieldList(FormField(LinkRow), max_entries=MAX_LINKS)

    def link_rows(self) -> list[dict[str, Any]]:
        """The links as sent, in order, leaving out the rows with neither title nor address."""
        return [
            {"title": row.form.title.data or "", "url": row.form.url.data or ""}
            for row in self.links
            if row.form.title.data or row.form.url.data
        ]

    def fill_rows(self, links: list[dict[str, Any]]) -> None:
        """Show these links and a few empty rows after them, never more than ten rows."""
        while self.links.entries:
            self.links.pop_entry()
        rows = links[:MAX_LINKS]
        for link in rows:
            self.links.append_entry({"title": link.get("title", ""), "url": link.get("url", "")})
        for _ in range(min(SPARE_ROWS, MAX_LINKS - len(rows))):
            self.links.append_entry()
