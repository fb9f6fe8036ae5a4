"""{agent_name}, {customer_name} and {order_id} in canned replies, filled from the handoff.

An agent's reply is filled before it is sent; one that still needs a value nobody knows
(a customer who never said their name) is refused with a clear message instead of reaching
the customer with braces in it. Other braces in a reply are left alone: agents may type them.
"""

from __future__ import annotations

import re

from store.models import Agent, Handoff

PLACEHOLDERS = ("agent_name", "customer_name", "order_id")
_KNOWN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_ANY = re.compile(r"\{(\w+)\}")
NEEDS = {"agent_name": "your name", "customer_name": "the customer's name",
         "order_id": "an order number"}


class UnfilledPlaceholder(ValueError):
    """The reply needs values this conversation does not have."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        wanted = ", ".join(f"{{{name}}} ({NEEDS[name]})" for name in names)
        super().__init__(f"This reply needs {wanted}, which this conversation does not have "
                         "yet: replace it with the right words before sending.")


class UnknownPlaceholder(ValueError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        super().__init__(f"Unknown placeholder {', '.join(f'{{{n}}}' for n in names)}: "
                         f"use {known}.")


def check_template(text: str) -> None:
    """A canned reply may only use the placeholders that can be filled."""
    unknown = sorted({name for name in _ANY.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise UnknownPlaceholder(unknown)


def values_for(handoff: Handoff, agent: Agent) -> dict[str, str | None]:
    """What this handoff knows: the agent, the customer's name, the order they asked about
    (the verified order first, else the number they gave)."""
    context = handoff.context or {}
    order = context.get("order") or {}
    customer = handoff.conversation.customer if handoff.conversation else None
    return {
        "agent_name": agent.display_name,
        "customer_name": (customer.name if customer else None) or order.get("customer_name"),
        "order_id": order.get("order_id") or (context.get("slots") or {}).get("order_id"),
    }


def missing(text: str, values: dict[str, str | None]) -> list[str]:
    return sorted({name for name in _KNOWN.findall(text) if not values.get(name)})


def fill(text: str, values: dict[str, str | None]) -> str:
    """The text with every placeholder filled; UnfilledPlaceholder when one cannot be."""
    lacking = missing(text, values)
    if lacking:
        raise UnfilledPlaceholder(lacking)
    return _KNOWN.sub(lambda match: str(values[match.group(1)]), text)


__all__ = ["PLACEHOLDERS", "UnfilledPlaceholder", "UnknownPlaceholder", "check_template",
           "fill", "missing", "values_for"]
