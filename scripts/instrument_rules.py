#!/usr/bin/env python3
"""Print every scoring rule Thaw applies to each instrument, with its source.

The reliable-change thresholds are derived here, from the r and SD in each instrument
file (Jacobson–Truax: 1.96 × SD × √(2 × (1 − r)), rounded up to a whole score), so what
this prints is what Thaw computes. Usage: ``.venv/bin/python scripts/instrument_rules.py``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from thaw.assessments.instruments import instruments  # noqa: E402
from thaw.assessments.scoring import RULES_VERSION  # noqa: E402


def line(label: str, text: str) -> None:
    wrapped = textwrap.wrap(text, width=100, initial_indent=f"  {label}: ", subsequent_indent="      ")
    print("\n".join(wrapped))


def main() -> int:
    print(f"Thaw scoring rules, version {RULES_VERSION}\n")
    for i in instruments().values():
        print(f"{i.name} ({i.title}), {i.min_score}-{i.max_score}, {'lower' if i.lower_is_better else 'higher'} "
              "is better")
        cut = i.cutoff
        by_sex = ", ".join(f"{k} {v}" for k, v in cut.by_sex.items())
        line("cut-off", f"{cut.positive_when} {cut.score}{f' ({by_sex})' if by_sex else ''}. {cut.source}")
        if i.band_convention:
            line("bands", i.band_convention)
        rc = i.reliable_change
        if rc:
            line("reliable change", f"{rc.threshold} points (1.96 × {rc.sd} × √(2 × (1 − {rc.r})) = {rc.exact:.2f}). "
                                    f"{rc.source} {rc.note}".strip())
        else:
            line("reliable change", i.reliable_change_source)
        if i.clinically_meaningful:
            line("clinically meaningful", f"{i.clinically_meaningful.points} points. {i.clinically_meaningful.source}")
        if i.recovery:
            line("recovered", f"{i.recovery.definition} {i.recovery.source}")
        if i.cluster_rule:
            clusters = ", ".join(f"{c.id} ≥ {c.needed} of items {c.items[0]}-{c.items[-1]}" for c in i.cluster_rule.clusters)
            line("DSM-5 clusters", f"an item at {i.cluster_rule.endorsed_at}+ is endorsed; {clusters}. "
                                   f"{i.cluster_rule.source}")
        if i.item_rule:
            line("single-item rule", f"any item at {i.item_rule.at_most} or below. {i.item_rule.source}")
        if i.skip_rule:
            line("skip rule", f"question {i.skip_rule.when_item} = {i.skip_rule.equals}: questions "
                              f"{', '.join(map(str, i.skip_rule.skip))} not asked, scored 0. {i.skip_rule.source}")
        if i.difficulty:
            line("unscored question", f"{i.difficulty.text} {i.difficulty.source}")
        if i.anchor:
            line("anchor", f"{i.anchor.prompt} {i.anchor.source}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
