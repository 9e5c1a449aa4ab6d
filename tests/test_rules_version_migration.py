"""The migration that brought in rules versions marks every stored result as version 1.

Results stored before the published-rules corrections are not re-scored: they keep their
band and change status, and say which rules produced them.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from thaw.accounts.models import User
from thaw.assessments.scoring import RULES_VERSION

BEFORE = [("assessments", "0001_initial")]
AFTER = [("assessments", "0002_rules_version_findings_difficulty_worst_event")]


@pytest.mark.django_db(transaction=True)
def test_existing_results_become_rules_version_1_and_keep_their_status() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user = User.objects.create_user("old@example.org", "a long passphrase")  # accounts stays migrated
        old.get_model("assessments", "Assessment").objects.create(
            person_id=user.pk, instrument="gad7", answers=[1] * 7, score=7, band="mild", previous_score=12,
            change_status="recovered")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        row = new.get_model("assessments", "Assessment").objects.get(person__email="old@example.org")
        assert (row.rules_version, row.change_status, row.band, row.findings) == (1, "recovered", "mild", {})
        assert new.get_model("assessments", "Assessment")._meta.get_field("rules_version").default == RULES_VERSION
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
