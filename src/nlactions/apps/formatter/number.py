"""The ``number`` action: format a number or an amount of money, or do one step of arithmetic.

Numbers are read the way people write them ("1,234.5", "$1,234.50", "1.234,5", "(12)") and computed
as exact decimals, so 0.1 + 0.2 gives "0.3". Rounding is half away from zero (2.5 → 3).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import ConfigDict

from nlactions.apps.formatter._numbers import (
    CURRENCIES,
    Currency,
    currency,
    fixed,
    grouped,
    parse_number,
    plain,
    rounded,
)
from nlactions.catalog import Action, ActionContext, Gives, InvalidInput, Needs, give, need

Transform = Literal["format_number", "format_currency", "add", "subtract", "multiply", "divide", "round"]

TRANSFORMS: dict[Transform, str] = {
    "format_number": "Format Number",
    "format_currency": "Format Currency",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "divide": "Divide",
    "round": "Round Number",
}

DIVISION_PLACES = 10
"""Places a quotient keeps when no ``decimals`` are asked for (10 / 3 → "3.3333333333")."""

_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
}


class Input(Needs):
    """Which number and what to do with it."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    transform: Transform = need(
        label="Transform", help_text="What to do with the number.", choices=list(TRANSFORMS.items())
    )
    input: str = need(
        label="Input", help_text='The number, as written: "1234.5", "1,234.50", "$12", "1.234,5" all work.'
    )
    operand: float | None = need(None, label="Operand", help_text="Add, Subtract, Multiply, Divide: the second number.")
    decimals: int | None = need(
        None,
        label="Decimal Places",
        help_text="Places in the result (Round Number: 0 when empty; -1 rounds to tens, -2 to hundreds).",
    )
    currency: Currency | None = need(
        None,
        label="Currency",
        help_text="Format Currency: the currency (US Dollar when empty).",
        choices=[(code, f"{style.name} ({code})") for code, style in CURRENCIES.items()],
    )


class Output(Gives):
    """The formatted or computed number."""

    output: str = give("", label="Output", important=True)
    value: float | None = give(label="Numeric Value")


def _operand(params: Input) -> Decimal:
    if params.operand is None:
        raise InvalidInput(
            "operand",
            f"{TRANSFORMS[params.transform]} needs a second number.",
            hint="Set operand to the number to use, e.g. 10.",
        )
    operand = Decimal(repr(params.operand))
    if not operand.is_finite():
        raise InvalidInput("operand", "The operand must be a finite number.", hint="Use a number such as 10.")
    return operand


def _result(params: Input, number: Decimal) -> Decimal:
    """The numeric result, rounded as asked (or as the currency is usually written)."""
    places = params.decimals
    if params.transform in _ARITHMETIC:
        operand = _operand(params)
        if params.transform == "divide" and operand == 0:
            raise InvalidInput("operand", "Cannot divide by zero.", hint="Use an operand other than 0.")
        number = _ARITHMETIC[params.transform](number, operand)
        if params.transform == "divide" and places is None:
            places = DIVISION_PLACES
    elif params.transform == "round" and places is None:
        places = 0
    elif params.transform == "format_currency" and places is None:
        places = CURRENCIES[params.currency or "USD"].decimals
    return number if places is None else rounded(number, places)


def _text(params: Input, result: Decimal) -> str:
    """``result`` written for people: grouped, with a currency symbol, or plain."""
    if params.transform == "format_number":
        return grouped(result, params.decimals)
    if params.transform == "format_currency":
        return currency(result, params.currency or "USD", params.decimals)
    return plain(result) if params.decimals is None else fixed(result, params.decimals)


async def perform(ctx: ActionContext, params: Input) -> dict[str, Any]:
    """Read ``input`` as a number, then format it or compute with it."""
    number = parse_number(params.input)
    if number is None:
        raise InvalidInput(
            "input",
            f"{params.input!r} is not a number.",
            hint='Give a number such as 1234.5, "1,234.50" or "$12".',
        )
    try:
        result = _result(params, number)
        output = _text(params, result)
    except InvalidOperation:
        raise InvalidInput(
            "input", "The number is too large to compute with exactly.", hint="Use fewer digits."
        ) from None
    return {"output": output, "value": float(result)}


action = Action(
    key="number",
    type="write",
    noun="Number",
    name="Number",
    description="Format a number (1,234.50) or an amount of money ($1,234.50), or add, subtract, multiply, "
    "divide or round a number.",
    input=Input,
    output=Output,
    perform=perform,
    sample={"output": "$1,234.50", "value": 1234.5},
)
