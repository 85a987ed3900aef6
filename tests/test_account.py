"""``client.account``: the quota and the AI credit ledger, typed and tolerant."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx
from _support import API_KEY, ClientFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import (
    AsyncPictory,
    AuthenticationError,
    InvalidInputError,
    Quota,
    QuotaUsage,
    ResponseValidationError,
)
from pictory_async._converter import converter
from pictory_async._models.account import AiCreditTransaction
from pictory_async.emulator import Emulator

QUOTA = "/pictoryapis/v1/quota"
WIRE: dict[str, Any] = {
    "videoMinutes": {"used": 12, "limit": 600},
    "transcriptionMinutes": {"used": 0, "limit": 300},
    "elevenLabsVoiceOverMinutes": {"used": 2.5, "limit": 60},
    "aiCredits": {"used": 40, "limit": 1000},
}
EXPECTED = Quota(
    video_minutes=QuotaUsage(used=12, limit=600),
    transcription_minutes=QuotaUsage(used=0, limit=300),
    eleven_labs_voice_over_minutes=QuotaUsage(used=2.5, limit=60),
    ai_credits=QuotaUsage(used=40, limit=1000),
)


async def _quota(router: respx.Router, make_client: ClientFactory, body: Any) -> Quota:
    router.get(QUOTA).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        return await client.account.quota()


async def test_quota_reads_the_documented_shape(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """The bare answer becomes a ``Quota`` of four ``QuotaUsage``, from one keyed GET."""
    route = router.get(QUOTA).mock(return_value=httpx.Response(200, json=WIRE))
    async with make_client() as client:
        quota = await client.account.quota()
    request = route.calls.last.request
    assert (EXPECTED, "GET", API_KEY) == (quota, request.method, request.headers["authorization"])
    assert WIRE == quota.raw


async def test_quota_reads_the_success_envelope(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``{"success": true, "data": {...}}`` reads as the bare answer does."""
    assert EXPECTED == await _quota(router, make_client, {"success": True, "data": WIRE})


async def test_missing_allowances_are_none_and_new_ones_kept(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """An allowance not sent is ``None``; one this version does not know stays in ``raw``."""
    body = {"videoMinutes": {"used": 1}, "storageGigabytes": {"used": 1, "limit": 5}}
    quota = await _quota(router, make_client, body)
    expected = Quota(video_minutes=QuotaUsage(used=1, limit=None))
    assert (expected, {"used": 1, "limit": 5}) == (quota, quota.raw["storageGigabytes"])


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "error": {"error_code": 890, "error_message": "nope"}},
        {"success": True},
        {"success": True, "data": [1]},
        [WIRE],
        {"videoMinutes": 600},
        {"videoMinutes": {"used": "a lot", "limit": 600}},
        {"aiCredits": {"used": None, "limit": True}},
    ],
    ids=["failed", "no-data", "data-list", "list", "number", "text", "bool"],
)
async def test_bad_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """An answer that is not a quota is ``ResponseValidationError`` with the body kept."""
    with pytest.raises(ResponseValidationError) as caught:
        await _quota(router, make_client, body)
    assert body == caught.value.body


async def test_refused_key_is_authentication_error(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A 401 is the typed ``AuthenticationError``, as for every endpoint."""
    router.get(QUOTA).mock(return_value=httpx.Response(401, json={"message": "Unauthorized"}))
    async with make_client() as client:
        with pytest.raises(AuthenticationError):
            await client.account.quota()


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
_usage = st.fixed_dictionaries({}, optional={"used": _json, "limit": _json})
_body = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(WIRE, _usage | _json) | {"success": _json, "data": _json}
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_body | _json)
async def test_any_answer_is_a_quota_or_a_typed_error(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """Whatever JSON comes back, the call returns a ``Quota`` or raises the typed error."""
    try:
        quota = await _quota(router, make_client, body)
    except ResponseValidationError:
        return
    assert isinstance(quota, Quota)


def test_quota_round_trips_through_the_wire_format() -> None:
    """``Quota`` unstructures to the wire keys and reads back equal."""
    wire = json.loads(json.dumps(converter.unstructure(EXPECTED)))
    assert (WIRE, EXPECTED) == (wire, converter.structure(wire, Quota))


async def test_quota_takes_per_call_options(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """``extra_headers`` reach the quota request."""
    route = router.get(QUOTA).mock(return_value=httpx.Response(200, json=WIRE))
    async with make_client() as client:
        await client.account.quota(extra_headers={"X-Trace": "q"})
    assert "q" == route.calls.last.request.headers["x-trace"]


# -- the AI credit ledger -----------------------------------------------------------------

AI_CREDITS = "/pictoryapis/v1/aicredits/usage"
LEDGER: list[dict[str, Any]] = [
    {
        "transactionId": "20260508153648354912f9ebd4ef94b1baa469ae1179a3ead",
        "type": "debit",
        "amount": 0.6,
        "source": "Text-to-Image",
        "description": "Credits consumed by a text-to-image generation",
        "plan": "API Annual",
        "transactionDate": "2026-05-08T15:37:11.176Z",
    },
    {
        "transactionId": "20260501101259445721a0a11c9594db9b2577c844bc7338e",
        "type": "credit",
        "amount": 100,
        "source": "Monthly Reset",
        "transactionDate": "2026-05-01T10:12:59.445Z",
    },
]
EXPECTED_LEDGER = (
    AiCreditTransaction(
        transaction_id="20260508153648354912f9ebd4ef94b1baa469ae1179a3ead",
        type="debit",
        amount=0.6,
        source="Text-to-Image",
        description="Credits consumed by a text-to-image generation",
        plan="API Annual",
        transaction_date=datetime(2026, 5, 8, 15, 37, 11, 176000, tzinfo=timezone.utc),
    ),
    AiCreditTransaction(
        transaction_id="20260501101259445721a0a11c9594db9b2577c844bc7338e",
        type="credit",
        amount=100,
        source="Monthly Reset",
        transaction_date=datetime(2026, 5, 1, 10, 12, 59, 445000, tzinfo=timezone.utc),
    ),
)


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({}, {}),
        ({"month": 2}, {"month": "2"}),
        ({"year": 2026, "month": 3}, {"year": "2026", "month": "3"}),
    ],
    ids=["current", "month", "year-month"],
)
async def test_ai_credits_reads_the_ledger_of_the_month_asked(
    router: respx.Router, make_client: ClientFactory, kwargs: Any, query: Any
) -> None:
    """The bare array becomes typed transactions; year and month go in the query."""
    route = router.get(AI_CREDITS).mock(return_value=httpx.Response(200, json=LEDGER))
    async with make_client() as client:
        ledger = await client.account.ai_credits(**kwargs)
    request = route.calls.last.request
    assert (EXPECTED_LEDGER, query, API_KEY) == (
        ledger,
        dict(request.url.params),
        request.headers["authorization"],
    )
    assert LEDGER == [entry.raw for entry in ledger]


@pytest.mark.parametrize(
    "body", [{"success": True, "data": LEDGER}, {"items": LEDGER}], ids=["envelope", "items"]
)
async def test_ai_credits_tolerates_wrapped_ledgers(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """The envelope or an ``items`` list read as the bare array does."""
    router.get(AI_CREDITS).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        assert EXPECTED_LEDGER == await client.account.ai_credits()


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "month is required when year is provided"},
        {"amount": 3},
        {"data": {"transactions": LEDGER}},
        [{"type": "debit"}],
        [{"transactionId": "t", "amount": "much"}],
        [{"transactionId": "t", "transactionDate": "yesterday"}],
    ],
    ids=["failed", "object", "unknown-list-name", "no-id", "amount-text", "date-text"],
)
async def test_ai_credits_broken_answers_are_validation_errors(
    router: respx.Router, make_client: ClientFactory, body: Any
) -> None:
    """An answer that is not a list of transactions is ``ResponseValidationError``."""
    router.get(AI_CREDITS).mock(return_value=httpx.Response(200, json=body))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.account.ai_credits()
    assert body == caught.value.body


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"year": 2026}, "year needs a month"),
        ({"month": 0}, "month"),
        ({"month": 13}, "month"),
        ({"month": "3"}, "month"),
        ({"month": True}, "month"),
        ({"year": -1, "month": 3}, "year"),
        ({"year": 2026.0, "month": 3}, "year"),
    ],
)
async def test_ai_credits_refuses_a_bad_month_before_sending(
    router: respx.Router, make_client: ClientFactory, kwargs: Any, word: str
) -> None:
    """A month outside 1-12, a bad year, or a year alone: nothing is sent."""
    route = router.get(AI_CREDITS).mock(return_value=httpx.Response(200, json=[]))
    async with make_client() as client:
        with pytest.raises(InvalidInputError, match=word):
            await client.account.ai_credits(**kwargs)
    assert not route.called


# -- on the emulator, over a real socket ------------------------------------------------


@pytest.mark.pictory_emulator(projects=1, seed=5, transport="socket")
async def test_quota_on_the_emulator_over_a_socket(
    pictory_client: AsyncPictory, pictory_emulator: Emulator
) -> None:
    """The emulator's plan figures come back typed; a number a test sets is read as set."""
    fresh = await pictory_client.account.quota()
    pictory_emulator.set_quota(video_minutes={"used": 590})
    spent = await pictory_client.account.quota()
    assert (QuotaUsage(used=0, limit=600), QuotaUsage(used=590, limit=600)) == (
        fresh.video_minutes,
        spent.video_minutes,
    )
    assert pictory_emulator.quota() == converter.unstructure(spent)
