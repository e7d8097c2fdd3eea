"""A check a run did not re-run shows its last real result, not "skipped" or "failed".

Two real runs on a test instance: the first builds the asset and evaluates its checks; the
second builds nothing (as the dbt step does when nothing changed), so Dagster plans the
checks and never executes them. After :func:`carry_forward_checks`, the latest execution of
each check, the one the UI shows, is the first run's result again.
"""

from collections.abc import Iterator

import dagster as dg
import pytest

from orchestration.checks import EVALUATED_IN_RUN, NOT_RUN_IN_RUN, carry_forward_checks


class Build(dg.Config):
    build: bool = True
    fail_own_check: bool = False


@dg.multi_asset(
    specs=[dg.AssetSpec("mart", skippable=True)],
    check_specs=[dg.AssetCheckSpec("rows_unique", asset="mart")],
    can_subset=True,
)
def mart(config: Build) -> Iterator[object]:
    if config.build:  # else: nothing changed, nothing built (the dbt step's early return)
        yield dg.MaterializeResult(asset_key="mart")
        yield dg.AssetCheckResult(
            asset_key="mart",
            check_name="rows_unique",
            passed=not config.fail_own_check,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"failing_rows": 0 if not config.fail_own_check else 3},
        )


@dg.asset_check(asset="mart", blocking=True, description="A GX-like check in a step of its own.")
def handoff_rules() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"rows_checked": 42})


@dg.asset_check(asset="mart", description="A check whose own step breaks.")
def broken(config: Build) -> dg.AssetCheckResult:
    if not config.build:
        raise RuntimeError("this check itself failed")
    return dg.AssetCheckResult(passed=True)


DEFS = dg.Definitions(
    assets=[mart],
    asset_checks=[handoff_rules, broken],
    jobs=[dg.define_asset_job("all", selection=dg.AssetSelection.all())],
)
KEYS = {
    name: dg.AssetCheckKey(dg.AssetKey("mart"), name)
    for name in ("rows_unique", "handoff_rules", "broken")
}


def _run(instance: dg.DagsterInstance, *, build: bool, fail_own_check: bool = False) -> str:
    config = {"build": build, "fail_own_check": fail_own_check}
    result = DEFS.resolve_job_def("all").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"ops": {"mart": {"config": config}, "mart_broken": {"config": config}}},
    )
    return result.run_id


def _latest(instance: dg.DagsterInstance, key: dg.AssetCheckKey) -> dg.AssetCheckEvaluation:
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert record.event is not None
    data = record.event.dagster_event.event_specific_data
    assert isinstance(data, dg.AssetCheckEvaluation), f"{key.name}: {record.status}"
    return data


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def test_checks_not_run_get_their_last_result_back(instance: dg.DagsterInstance) -> None:
    first = _run(instance, build=True)
    second = _run(instance, build=False)

    # What Dagster leaves: planned in the second run, never evaluated (the UI's "Skipped").
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(KEYS.values()))
    assert {latest[k].run_id for k in KEYS.values()} == {second}
    assert all(not isinstance(latest[k].event, dg.AssetCheckEvaluation) for k in KEYS.values())

    kept = carry_forward_checks(instance, second)
    assert {(e.check_name, e.passed) for e in kept} == {
        ("rows_unique", True),
        ("handoff_rules", True),
        ("broken", True),
    }
    for name in ("rows_unique", "handoff_rules"):
        evaluation = _latest(instance, KEYS[name])
        assert evaluation.passed
        assert evaluation.metadata[EVALUATED_IN_RUN].value == first
        assert evaluation.metadata[NOT_RUN_IN_RUN].value == second
        assert evaluation.description.startswith("Last result (passed), evaluated in run")
    assert _latest(instance, KEYS["handoff_rules"]).metadata["rows_checked"].value == 42
    assert _latest(instance, KEYS["handoff_rules"]).blocking is True

    # Twice for one run changes nothing.
    assert carry_forward_checks(instance, second) == []


def test_a_failed_result_is_kept_as_failed_and_its_origin_survives(
    instance: dg.DagsterInstance,
) -> None:
    first = _run(instance, build=True, fail_own_check=True)
    _run(instance, build=False)
    third = _run(instance, build=False)
    assert carry_forward_checks(instance, third)
    evaluation = _latest(instance, KEYS["rows_unique"])
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["failing_rows"].value == 3
    assert evaluation.metadata[EVALUATED_IN_RUN].value == first
    # Carried again for a later run: still the run that really evaluated it.
    fourth = _run(instance, build=False)
    carry_forward_checks(instance, fourth)
    evaluation = _latest(instance, KEYS["rows_unique"])
    assert evaluation.metadata[EVALUATED_IN_RUN].value == first
    assert evaluation.metadata[NOT_RUN_IN_RUN].value == fourth
    assert evaluation.description.count("Last result") == 1


def test_a_check_of_a_rebuilt_asset_that_did_not_run_keeps_its_failure(
    instance: dg.DagsterInstance,
) -> None:
    """The asset was rebuilt, so its old result says nothing about it: no carry-forward."""
    _run(instance, build=True)
    second = DEFS.resolve_job_def("all").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={
            "ops": {
                "mart": {"config": {"build": True}},
                "mart_broken": {"config": {"build": False}},
            }
        },
    )
    assert not second.success
    kept = carry_forward_checks(instance, second.run_id)
    assert kept == []
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([KEYS["broken"]])
    assert record[KEYS["broken"]].run_id == second.run_id


def test_a_check_that_never_ran_has_nothing_to_show(instance: dg.DagsterInstance) -> None:
    run_id = _run(instance, build=False)
    assert carry_forward_checks(instance, run_id) == []
