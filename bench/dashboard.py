"""The chair's dashboard (issue 7), measured once the `cases:dashboard` URL exists."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from bench.context import BenchContext, ms, table


def run(ctx: BenchContext) -> str:
    try:
        path = reverse("cases:dashboard")
    except NoReverseMatch:
        return "## Dashboard\n\nSkipped: this build has no `cases:dashboard` URL yet."
    dashboard, case_list = ctx.paired(lambda: ctx.get(ctx.chair, path), lambda: ctx.get(ctx.chair, "/cases/"))
    return "\n\n".join(
        [
            "## Dashboard",
            "The chair's dashboard against the chair's case list (the same visible cases), median of 30 "
            "requests each, taken alternately.",
            table(
                ["page", "median", "ratio to case list", "queries"],
                [
                    [
                        "dashboard, chair",
                        ms(dashboard),
                        f"{dashboard / case_list:.2f}",
                        len(ctx.queries(ctx.chair, path)),
                    ],
                    ["case list, chair", ms(case_list), "1.00", len(ctx.queries(ctx.chair, "/cases/"))],
                ],
            ),
        ]
    )
