"""One plain sentence to lead each substance finding; its figures stay under "How we know".

Pure functions of one reported row of ``analysis.analyse`` (its ``test`` key, ``difference`` or
``rho``), in the active language, made per request like the rest of the page.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from thaw.substances.analysis import substance_name


def finding(row: dict[str, Any]) -> str:
    key = row["test"]
    if key.startswith("after_use:"):
        name = key.split(":", 1)[1]
        more = row["difference"] > 0
        if name == "any":
            if more:
                return gettext("You felt more numb in the 24 hours after using something than when nothing was used.")
            return gettext("You felt less numb in the 24 hours after using something than when nothing was used.")
        what = {"what": substance_name(name)}
        if more:
            return gettext("You felt more numb in the 24 hours after using %(what)s than when nothing was used.") % what
        return gettext("You felt less numb in the 24 hours after using %(what)s than when nothing was used.") % what
    if key == "craving:unpleasant":
        if row["difference"] > 0:
            return gettext("Cravings were stronger when your feelings were mostly unpleasant than when they were "
                           "mostly pleasant.")
        return gettext("Cravings were stronger when your feelings were mostly pleasant than when they were "
                       "mostly unpleasant.")
    if key == "craving:numbness":
        if row["rho"] > 0:
            return gettext("On days with stronger cravings, you tended to feel more numb.")
        return gettext("On days with stronger cravings, you tended to feel less numb.")
    return str(row["label"]) + "."
