"""Retention and customers' data rights: purge old conversations, export or delete one person.

    python -m handoff.ops.privacy purge [--older-than-days N] [--dry-run]
    python -m handoff.ops.privacy customer --email X | --phone P | --wa-id W  --export FILE
    python -m handoff.ops.privacy customer --email X | --phone P | --wa-id W  --delete --yes

`purge` anonymises conversations closed more than N days ago (RETENTION_DAYS, 365 by default):
what people wrote goes (and the email or WhatsApp number left for replies, with its resume
links), while what the metrics count stays (handoff reasons, statuses and
times, survey scores), so reports of past months do not change. A conversation counts as
purged once its texts read "[removed]", so running it again (e.g. nightly) changes nothing.

Photos and videos of those conversations are deleted outright (rows, and their files once the
change is committed; a dry run keeps them).

`customer --delete` removes the person's conversations (with the address left for replies and
its resume links), messages, attachments (files included), handoffs, notes, survey
answers, order requests and customer row. Their orders are kept, because the store must keep
its sales records, but the name, email, phone and shipping address on them are replaced by
"[removed]". Every run that changes or exports data leaves an audit event (who="cli").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from handoff.serialize import iso
from nlu.patterns import normalise_email, normalise_phone
from store import audit
from store.attachments import attachment_json, delete_attachments
from store.follow_up import forget_address
from store.models import (
    Attachment,
    Conversation,
    Customer,
    Handoff,
    Message,
    Note,
    ResumeLink,
    SurveyAnswer,
    utcnow,
)
from store.orders.models import Order, OrderRequest

REMOVED = "[removed]"
WHO = "cli"
_BATCH = 500  # conversations per query, to stay under SQLite's bound-parameter limit


class PrivacyError(ValueError):
    """A request the commands cannot carry out as asked (bad input, unknown customer)."""


class CustomerNotFound(PrivacyError):
    """No customer row matches the email, phone or WhatsApp id."""


# --- purge -----------------------------------------------------------------------------


@dataclass
class PurgeReport:
    """What a purge changed; `already_purged` conversations were old enough but had nothing
    left to remove."""

    older_than_days: int
    cutoff: str
    conversations: int = 0
    already_purged: int = 0
    messages: int = 0
    handoffs: int = 0
    notes: int = 0
    survey_answers: int = 0
    customers: int = 0
    attachments: int = 0

    @property
    def changed(self) -> bool:
        return any((self.conversations, self.messages, self.handoffs, self.notes,
                    self.survey_answers, self.customers, self.attachments))


def _chunks(items: Sequence[str], size: int = _BATCH) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _anonymise_batch(session: Session, ids: Sequence[str], report: PurgeReport) -> set[str]:
    """Anonymises the rows of these conversations; returns the ids where anything changed."""
    changed: set[str] = set()
    for message in session.execute(
            select(Message).where(Message.conversation_id.in_(ids))).scalars():
        if message.text != REMOVED or message.buttons is not None:
            message.text, message.buttons = REMOVED, None
            report.messages += 1
            changed.add(message.conversation_id)
    for handoff in session.execute(
            select(Handoff).where(Handoff.conversation_id.in_(ids))).scalars():
        if handoff.summary != REMOVED or handoff.context:
            handoff.summary, handoff.context = REMOVED, {}
            report.handoffs += 1
            changed.add(handoff.conversation_id)
    for note, conversation_id in session.execute(
            select(Note, Handoff.conversation_id).join(Handoff, Note.handoff_id == Handoff.id)
            .where(Handoff.conversation_id.in_(ids))):
        if note.text != REMOVED:
            note.text = REMOVED
            report.notes += 1
            changed.add(conversation_id)
    for answer in session.execute(
            select(SurveyAnswer).where(SurveyAnswer.conversation_id.in_(ids))).scalars():
        if answer.comment is not None:
            answer.comment = None  # the score stays: it is what the CES report counts
            report.survey_answers += 1
            changed.add(answer.conversation_id)
    for conversation in session.execute(
            select(Conversation).where(Conversation.id.in_(ids),
                                       Conversation.follow_up_via.is_not(None))).scalars():
        forget_address(conversation)
        changed.add(conversation.id)
    session.execute(delete(ResumeLink).where(ResumeLink.conversation_id.in_(ids)),
                    execution_options={"synchronize_session": False})
    with_files = set(session.execute(select(Attachment.conversation_id).where(
        Attachment.conversation_id.in_(ids))).scalars())
    report.attachments += delete_attachments(session, ids)  # photos of parcels, labels, faces
    return changed | with_files


def _forget_customers(session: Session, ids: Sequence[str], cutoff: datetime) -> int:
    """Clears contact details of customers of these conversations who have no other
    conversation (open, or closed too recently to purge)."""
    customer_ids = set(session.execute(
        select(Conversation.customer_id).where(Conversation.id.in_(ids),
                                               Conversation.customer_id.is_not(None))).scalars())
    if not customer_ids:
        return 0
    kept = set(session.execute(
        select(Conversation.customer_id).where(
            Conversation.customer_id.in_(customer_ids),
            or_(Conversation.closed_at.is_(None), Conversation.closed_at >= cutoff))).scalars())
    forgotten = 0
    for customer in session.execute(
            select(Customer).where(Customer.id.in_(customer_ids - kept))).scalars():
        if any((customer.name, customer.email, customer.phone, customer.wa_id)):
            customer.name = customer.email = customer.phone = customer.wa_id = None
            forgotten += 1
    return forgotten


def purge_closed_conversations(session: Session, *, older_than_days: int,
                               now: datetime | None = None) -> PurgeReport:
    """Anonymises every conversation closed more than `older_than_days` ago (see module doc).

    The caller commits (or rolls back, for a dry run); nothing is audited here.
    """
    if older_than_days < 0:
        raise PrivacyError("--older-than-days must be 0 or more")
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    report = PurgeReport(older_than_days=older_than_days, cutoff=iso(cutoff) or "")
    ids = list(session.execute(
        select(Conversation.id).where(Conversation.closed_at.is_not(None),
                                      Conversation.closed_at < cutoff)
        .order_by(Conversation.id)).scalars())
    changed: set[str] = set()
    for batch in _chunks(ids):
        changed |= _anonymise_batch(session, batch, report)
        report.customers += _forget_customers(session, batch, cutoff)
    session.flush()
    report.conversations = len(changed)
    report.already_purged = len(ids) - len(changed)
    return report


# --- one customer ----------------------------------------------------------------------


def find_customers(session: Session, *, email: str | None = None, phone: str | None = None,
                   wa_id: str | None = None) -> list[Customer]:
    """Every customer row for one person, found by exactly one of email, phone or wa_id."""
    if sum(value is not None for value in (email, phone, wa_id)) != 1:
        raise PrivacyError("give exactly one of --email, --phone, --wa-id")
    if email is not None:
        wanted = normalise_email(email)
        if wanted is None:
            raise PrivacyError(f"not an email address: {email!r}")
        where = func.lower(Customer.email) == wanted
    elif phone is not None:
        wanted = normalise_phone(phone)
        if wanted is None:
            raise PrivacyError(f"not a phone number: {phone!r}")
        where = Customer.phone == wanted
    else:
        wanted = (wa_id or "").strip().lstrip("+")
        if not wanted:
            raise PrivacyError("empty --wa-id")
        where = Customer.wa_id == wanted
    customers = list(session.execute(
        select(Customer).where(where).order_by(Customer.id)).scalars())
    if not customers:
        customers = _left_only_for_replies(session, email=email and wanted,
                                           phone=wanted if email is None else None)
    if not customers:
        raise CustomerNotFound("no customer with that " + (
            "email" if email is not None else "phone" if phone is not None else "WhatsApp id"))
    return customers


def _left_only_for_replies(session: Session, *, email: str | None,
                           phone: str | None) -> list[Customer]:
    """Someone known only by the address they left for replies in a chat (no customer row):
    an unsaved Customer carrying it, so their conversations and orders are found."""
    address = email or (phone if phone and phone.startswith("+") else f"+{phone}")
    found = session.execute(select(Conversation.id).where(
        Conversation.customer_id.is_(None), Conversation.follow_up_address == address)).first()
    return [Customer(email=email, phone=None if email else address)] if found else []


def _contact_keys(customers: Sequence[Customer]) -> tuple[set[str], set[str]]:
    emails = {email for customer in customers if customer.email
              for email in [normalise_email(customer.email)] if email}
    phones = {phone for customer in customers if customer.phone
              for phone in [normalise_phone(customer.phone)] if phone}
    return emails, phones


def _orders(session: Session, customers: Sequence[Customer]) -> list[Any]:
    """The order store's orders placed with any of the customers' emails or phones."""

    emails, phones = _contact_keys(customers)
    if not emails and not phones:
        return []
    return list(session.execute(
        select(Order).where(or_(Order.email.in_(emails), Order.phone.in_(phones)))
        .order_by(Order.placed_at, Order.order_id)).scalars())


def _conversations(session: Session, customers: Sequence[Customer]) -> list[Conversation]:
    """Theirs, and those of no known customer where they left their address for replies."""
    emails, phones = _contact_keys(customers)
    ids = [c.id for c in customers if c.id is not None]
    return list(session.execute(
        select(Conversation).where(or_(
            Conversation.customer_id.in_(ids),
            Conversation.customer_id.is_(None)
            & Conversation.follow_up_address.in_(emails | phones)))
        .order_by(Conversation.created_at, Conversation.id)).scalars())


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _conversation_json(session: Session, conversation: Conversation) -> dict[str, Any]:
    answers = session.execute(
        select(SurveyAnswer).where(SurveyAnswer.conversation_id == conversation.id)
        .order_by(SurveyAnswer.id)).scalars()
    return {
        "id": conversation.id, "channel": conversation.channel,
        "language": conversation.language, "created_at": iso(conversation.created_at),
        "closed_at": iso(conversation.closed_at), "close_reason": conversation.close_reason,
        "follow_up": {"via": conversation.follow_up_via,
                      "address": conversation.follow_up_address,
                      "consent_at": iso(conversation.follow_up_consent_at)}
        if conversation.follow_up_via else None,
        "resume_links": [{"created_at": iso(link.created_at), "expires_at": iso(link.expires_at)}
                         for link in session.execute(
                             select(ResumeLink).where(ResumeLink.conversation_id == conversation.id)
                             .order_by(ResumeLink.id)).scalars()],
        "messages": [
            {"seq": m.seq, "sender": m.sender.value, "text": m.text, "buttons": m.buttons,
             "created_at": iso(m.created_at), "attachment": attachment_json(m.attachment)}
            for m in conversation.messages],
        "handoffs": [
            {"id": h.id, "status": h.status.value, "reason": h.reason, "summary": h.summary,
             "context": h.context, "created_at": iso(h.created_at),
             "assigned_at": iso(h.assigned_at), "resolved_at": iso(h.resolved_at),
             "notes": [{"text": n.text, "created_at": iso(n.created_at)} for n in h.notes]}
            for h in conversation.handoffs],
        "survey_answers": [
            {"trigger": a.trigger, "score": a.score, "comment": a.comment,
             "declined": a.declined, "asked_at": iso(a.asked_at),
             "answered_at": iso(a.answered_at)} for a in answers],
    }


def _order_json(order: Any) -> dict[str, Any]:
    return {
        "order_id": order.order_id, "customer_name": order.customer_name,
        "email": order.email, "phone": order.phone, "status": order.status.value,
        "items": order.items, "total": order.total, "shipping_address": order.shipping_address,
        "carrier": order.carrier, "tracking_number": order.tracking_number,
        "placed_at": iso(order.placed_at), "estimated_delivery": _day(order.estimated_delivery),
        "delivered_at": iso(order.delivered_at),
        "requests": [{"kind": r.kind.value, "details": r.details, "status": r.status,
                      "created_at": iso(r.created_at)} for r in order.requests],
    }


def export_customer(session: Session, customers: Sequence[Customer]) -> dict[str, Any]:
    """Everything stored about one person (a data-access request), as JSON-ready dicts."""
    return {
        "exported_at": iso(utcnow()),
        "customers": [
            {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "wa_id": c.wa_id,
             "created_at": iso(c.created_at)} for c in customers],
        "conversations": [_conversation_json(session, conversation)
                          for conversation in _conversations(session, customers)],
        "orders": [_order_json(order) for order in _orders(session, customers)],
    }


@dataclass
class DeleteReport:
    customers: int = 0
    conversations: int = 0
    messages: int = 0
    handoffs: int = 0
    notes: int = 0
    survey_answers: int = 0
    order_requests: int = 0
    resume_links: int = 0
    attachments: int = 0
    orders_anonymised: int = 0
    order_ids: list[str] = field(default_factory=list)


def delete_customer(session: Session, customers: Sequence[Customer]) -> DeleteReport:
    """Erases one person (see module doc: orders are kept with contact details removed)."""

    report = DeleteReport(customers=sum(c.id is not None for c in customers))
    orders = _orders(session, customers)
    report.order_ids = [order.order_id for order in orders]
    ids = [conversation.id for conversation in _conversations(session, customers)]
    quick = {"synchronize_session": False}
    for batch in _chunks(ids):
        handoff_ids = select(Handoff.id).where(Handoff.conversation_id.in_(batch))
        # Children before parents; each count goes to the report field of the same name.
        for counter, statement in (
            ("notes", delete(Note).where(Note.handoff_id.in_(handoff_ids))),
            ("handoffs", delete(Handoff).where(Handoff.conversation_id.in_(batch))),
            ("survey_answers",
             delete(SurveyAnswer).where(SurveyAnswer.conversation_id.in_(batch))),
            ("attachments", None),  # before their messages; files go after the commit
            ("messages", delete(Message).where(Message.conversation_id.in_(batch))),
            ("order_requests",
             delete(OrderRequest).where(OrderRequest.conversation_id.in_(batch))),
            ("resume_links", delete(ResumeLink).where(ResumeLink.conversation_id.in_(batch))),
            ("conversations", delete(Conversation).where(Conversation.id.in_(batch))),
        ):
            deleted = (delete_attachments(session, batch) if statement is None
                       else session.execute(statement, execution_options=quick).rowcount)
            setattr(report, counter, getattr(report, counter) + deleted)
    for batch in _chunks(report.order_ids):
        report.order_requests += session.execute(
            delete(OrderRequest).where(OrderRequest.order_id.in_(batch)),
            execution_options=quick).rowcount
        # A bulk UPDATE on purpose: Order's validators would refuse "[removed]" as an email.
        report.orders_anonymised += session.execute(
            update(Order).where(Order.order_id.in_(batch)).values(
                customer_name=REMOVED, email=REMOVED, phone=REMOVED, shipping_address=REMOVED),
            execution_options=quick).rowcount
    session.execute(delete(Customer).where(
        Customer.id.in_([c.id for c in customers if c.id is not None])),
                    execution_options=quick)
    session.expire_all()
    return report


# --- command line ----------------------------------------------------------------------


def _write_json(path: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    # Personal data: readable by the owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _run_purge(args: argparse.Namespace) -> int:
    from store.db import session_scope
    from store.settings import get_settings

    days = args.older_than_days
    if days is None:
        days = get_settings().retention_days
    with session_scope() as session:
        report = purge_closed_conversations(session, older_than_days=days)
        if args.dry_run:
            session.rollback()
        elif report.changed:
            audit.record(session, None, audit.PURGE, target=f"older_than_days:{days}",
                         details=asdict(report), who=WHO)
    prefix = "Would purge" if args.dry_run else "Purged"
    if not report.changed:
        print(f"Nothing to purge: {report.already_purged} conversation(s) closed before "
              f"{report.cutoff} were already purged.")
        return 0
    print(f"{prefix} {report.conversations} conversation(s) closed before {report.cutoff}: "
          f"{report.messages} message(s), {report.handoffs} handoff(s), {report.notes} "
          f"note(s), {report.survey_answers} survey comment(s), {report.attachments} "
          f"attachment(s), {report.customers} customer(s) forgotten; "
          f"{report.already_purged} already purged.")
    return 0


def _run_customer(args: argparse.Namespace) -> int:
    from store.db import session_scope

    with session_scope() as session:
        customers = find_customers(session, email=args.email, phone=args.phone,
                                   wa_id=args.wa_id)
        target = "customer:" + ",".join(str(customer.id or "reply-address")
                                        for customer in customers)
        if args.export:
            data = export_customer(session, customers)
            _write_json(args.export, data)
            audit.record(session, None, audit.CUSTOMER_EXPORT, target=target, who=WHO, details={
                "conversations": len(data["conversations"]), "orders": len(data["orders"])})
            summary = (f"Exported customer {target.split(':')[1]}: "
                       f"{len(data['conversations'])} conversation(s), "
                       f"{len(data['orders'])} order(s) to {args.export}.")
        else:
            report = delete_customer(session, customers)
            audit.record(session, None, audit.CUSTOMER_DELETE, target=target, who=WHO,
                         details=asdict(report))
            summary = (f"Deleted customer {target.split(':')[1]}: {report.conversations} "
                       f"conversation(s), {report.messages} message(s), {report.handoffs} "
                       f"handoff(s), {report.notes} note(s), {report.survey_answers} survey "
                       f"answer(s), {report.attachments} attachment(s), "
                       f"{report.order_requests} order request(s); "
                       f"{report.orders_anonymised} order(s) kept with contact details "
                       "removed.")
    print(summary, file=sys.stderr if args.export == "-" else sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handoff.ops.privacy",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="anonymise conversations closed long ago")
    purge.add_argument("--older-than-days", type=int, metavar="N",
                       help="default: RETENTION_DAYS (365)")
    purge.add_argument("--dry-run", action="store_true", help="count, change nothing")
    customer = commands.add_parser("customer", help="export or delete one customer's data")
    who = customer.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    who.add_argument("--wa-id", dest="wa_id")
    what = customer.add_mutually_exclusive_group(required=True)
    what.add_argument("--export", metavar="FILE", help="write a JSON file ('-' for stdout)")
    what.add_argument("--delete", action="store_true",
                      help="delete the customer (orders kept, contact details removed)")
    customer.add_argument("--yes", action="store_true", help="confirm --delete")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "customer" and args.delete and not args.yes:
        parser.error("--delete erases the customer for good; add --yes to confirm")

    from store.migrate import load_all_models, upgrade_to_head

    load_all_models()
    upgrade_to_head()
    try:
        if args.command == "purge":
            return _run_purge(args)
        return _run_customer(args)
    except PrivacyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
