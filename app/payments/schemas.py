"""The payments API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictInt, StrictStr

from app.payments.models import RefundReason, RefundStatus


class IntentRequest(BaseModel):
    """Which held booking to pay for."""

    booking_id: StrictInt


class IntentOut(BaseModel):
    """The payment attempt and the secret the card form needs."""

    payment_id: int
    client_secret: str
    amount: int
    currency: str
    test_mode: bool


class ConfirmRequest(BaseModel):
    """The payment to confirm and, optionally, the saved or test method to pay with."""

    payment_id: StrictInt
    payment_method: StrictStr | None = None


class PaymentStatusOut(BaseModel):
    """A payment's state after confirming it."""

    payment_id: int
    booking_id: int
    status: str
    amount: int
    currency: str
    failure_message: str | None


class RefundRequest(BaseModel):
    """A full or partial refund of one payment."""

    payment_id: StrictInt
    amount: StrictInt = Field(description="minor units")
    reason: RefundReason
    note: StrictStr | None = ""  # null is no note, as before the schemas


class RefundOut(BaseModel):
    """A refund as the API shows it."""

    id: int
    payment_id: int
    amount: int
    currency: str
    reason: RefundReason
    status: RefundStatus
    failure_message: str | None


class RefundAnswer(BaseModel):
    """{"refund": {...}}."""

    refund: RefundOut


class SavedMethod(BaseModel):
    """One saved card."""

    id: str
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None


class MethodsOut(BaseModel):
    """The caller's saved cards."""

    methods: list[SavedMethod]
    test_mode: bool
