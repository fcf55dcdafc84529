import logging
import threading
from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.tools import split_every

from ..lib import dunning
from ..lib.money import round_money, to_decimal
from ..lib.workdays import WEEKEND, days_late as lib_days_late, effective_due_date

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock taken per company while its follow-up runs
# (the second key is the company id): two runs of one company never interleave.
LOCK_NAMESPACE = 704113

CLOSED_ACTION_STATES = ("done", "failed")


class FollowupData:
    """Everything one company's run needs, gathered with a few set-based queries."""

    def __init__(self, company, as_of):
        self.company = company
        self.as_of = as_of
        self.instalments = []  # dunning.Instalment of open invoice instalments
        self.lines = {}  # line id -> row dict (move, due date, residual, currency, partner)
        self.credits = {}  # (partner id, currency id) -> Decimal, positive
        self.holidays = frozenset()
        self.weekend = WEEKEND
        self.partners = {}  # partner id -> dict of company-dependent values
        self.policy_by_partner = {}  # partner id -> collections.policy id
        self.executed_pairs = set()
        self.last_contact = {}
        self.paused_line_ids = set()  # covered by an open promise
        self.planned_partner_ids = set()


class CollectionsFollowupRun(models.AbstractModel):
    """The follow-up engine: gathers a company's open instalments, lets
    ``lib.dunning.plan_run`` decide the contacts, records them as actions and
    executes their channels. Called by ``collections.policy.run_followup``."""

    _name = "collections.followup.run"
    _description = "Follow-up Run Engine"

    _batch_size = 500  # partners per transaction

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    @api.model
    def _run(self, as_of, companies):
        """Run the follow-up of ``companies`` for ``as_of``; returns the summary dict."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        summary = {
            "date": fields.Date.to_string(as_of),
            "companies": [],
            "partners_contacted": 0,
            "actions_done": 0,
            "actions_failed": 0,
            "actions_planned": 0,
            "postponed": 0,
            "emails_queued": 0,
            "letters": 0,
            "sms": 0,
            "activities": 0,
            "suspensions_lifted": 0,
            "promises_broken": 0,
            "promises_kept": 0,
        }
        for company in companies:
            engine = self.with_company(company).with_context(allowed_company_ids=[company.id])
            company_summary = engine._run_company(as_of, auto_commit)
            summary["companies"].append(company_summary)
            for key, value in company_summary.items():
                if isinstance(value, int) and key in summary:
                    summary[key] += value
        return summary

    def _lock_company(self, company, auto_commit):
        """Serialise the runs of one company.

        Outside tests: a session-level lock held across the batch commits, then
        a commit so this run's snapshot sees every pair the previous run
        committed. In tests (no commits): a transaction-level lock.
        """
        if auto_commit:
            self.env.cr.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, company.id))
            self.env.cr.commit()  # fresh snapshot taken after the lock is ours
        else:
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, company.id))

    def _unlock_company(self, company, auto_commit):
        if auto_commit:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, company.id))

    def _run_company(self, as_of, auto_commit):
        company = self.env.company
        counts = defaultdict(int)
        counts["company_id"] = company.id
        counts["company"] = company.name
        self._lock_company(company, auto_commit)
        try:
            promises = self.env["collections.promise"].sudo().search(
                [("company_id", "=", company.id), ("state", "=", dunning.PROMISE_OPEN)]
            )
            broken = promises._update_state(as_of)
            counts["promises_broken"] = len(broken)
            counts["promises_kept"] = len(promises.filtered(lambda p: p.state == dunning.PROMISE_KEPT))

            data = self._gather(company, as_of)
            counts["suspensions_lifted"] = self._lift_suspensions(data)
            contacts, postponed = self._plan(data)
            counts["postponed"] = len(postponed)
            done = 0
            for batch in split_every(self._batch_size, contacts):
                self._execute_batch(data, batch, counts)
                done += len(batch)
                if auto_commit:
                    self.env["ir.cron"]._notify_progress(done=done, remaining=len(contacts) - done)
                    # One batch per transaction: a crash loses at most this batch, and
                    # its pairs are not recorded, so a re-run continues from here.
                    self.env.cr.commit()
        except Exception:
            if auto_commit:
                self.env.cr.rollback()
            raise
        finally:
            self._unlock_company(company, auto_commit)
        return dict(counts)

    # ------------------------------------------------------------------
    # Gathering
    # ------------------------------------------------------------------

    def _gather(self, company, as_of, partner_ids=None):
        """FollowupData of ``company`` for ``as_of``, optionally limited to
        some commercial partners. Read with SQL: the run sees every
        instalment whatever the access rights of the user who starts it."""
        data = FollowupData(company, as_of)
        self.env.flush_all()  # the SQL below reads what the ORM may still hold in cache
        cr = self.env.cr
        partner_filter = ""
        params = [company.id]
        if partner_ids is not None:
            partner_filter = "AND move.commercial_partner_id = ANY(%s)"
            params.append(list(partner_ids))
        # Open receivable items of the company: debit instalments of customer
        # invoices are chased; credit items (payments, credit notes) reduce the claim.
        cr.execute(
            f"""
            SELECT aml.id, move.commercial_partner_id, aml.currency_id, aml.date_maturity,
                   aml.amount_residual_currency, aml.amount_residual, aml.move_id, move.name,
                   move.move_type, COALESCE(move.collections_in_dispute, FALSE)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.amount_residual_currency != 0
               AND move.commercial_partner_id IS NOT NULL
               {partner_filter}
            """,
            params,
        )
        credits = defaultdict(lambda: to_decimal(0))
        for (line_id, partner_id, currency_id, due_date, residual, residual_company,
             move_id, move_name, move_type, in_dispute) in cr.fetchall():
            residual = to_decimal(residual)
            if residual < 0:
                credits[(partner_id, currency_id)] += -residual
                continue
            if move_type not in ("out_invoice", "out_receipt") or not due_date:
                continue
            data.lines[line_id] = {
                "partner_id": partner_id, "currency_id": currency_id, "due_date": due_date,
                "residual": residual, "residual_company": to_decimal(residual_company),
                "move_id": move_id, "move_name": move_name, "in_dispute": in_dispute,
            }
            if not in_dispute:
                data.instalments.append(
                    dunning.Instalment(line_id, partner_id, currency_id, due_date, residual)
                )
        data.credits = dict(credits)
        # one working-day rule for the run, the late charges and the credit check
        data.holidays, data.weekend = company._collections_working_days_for(
            [row["due_date"] for row in data.lines.values()], as_of
        )

        partner_ids = {row["partner_id"] for row in data.lines.values()}
        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        default_policy = company.collections_policy_id
        for values in partners.read(
            ["collections_policy_id", "collections_excluded", "collections_next_action_date"],
            load=None,
        ):
            data.partners[values["id"]] = values
            policy_id = values["collections_policy_id"] or default_policy.id
            if policy_id:
                data.policy_by_partner[values["id"]] = policy_id

        line_ids = list(data.lines)
        cr.execute(
            "SELECT move_line_id, level_id FROM collections_followup_pair WHERE move_line_id = ANY(%s)",
            [line_ids],
        )
        data.executed_pairs = set(cr.fetchall())
        cr.execute(
            """
            SELECT partner_id, MAX(date) FROM collections_followup_action
             WHERE company_id = %s AND state IN %s AND partner_id = ANY(%s)
             GROUP BY partner_id
            """,
            [company.id, CLOSED_ACTION_STATES, list(partner_ids)],
        )
        data.last_contact = dict(cr.fetchall())
        cr.execute(
            """
            SELECT DISTINCT rel.account_move_line_id
              FROM account_move_line_collections_promise_rel rel
              JOIN collections_promise promise ON promise.id = rel.collections_promise_id
             WHERE promise.company_id = %s AND promise.state = %s
            """,
            [company.id, dunning.PROMISE_OPEN],
        )
        data.paused_line_ids = {row[0] for row in cr.fetchall()}
        cr.execute(
            """
            SELECT DISTINCT partner_id FROM collections_followup_action
             WHERE company_id = %s AND state = 'planned' AND partner_id = ANY(%s)
            """,
            [company.id, list(partner_ids)],
        )
        data.planned_partner_ids = {row[0] for row in cr.fetchall()}
        return data

    @api.model
    def _contact_moment(self, company, now=None):
        """The UTC datetime from which a message created ``now`` may be sent:
        now inside the opening hours of the company's calendar, else the next opening."""
        now = now or fields.Datetime.now()
        calendar = company.resource_calendar_id
        if not calendar:
            return now
        opening_hours = defaultdict(list)
        for attendance in calendar.attendance_ids:
            if attendance.day_period == "lunch" or attendance.display_type:
                continue
            opening_hours[int(attendance.dayofweek)].append((attendance.hour_from, attendance.hour_to))
        if not opening_hours:
            return now
        tz = pytz.timezone(calendar.tz or "UTC")
        local = pytz.utc.localize(now).astimezone(tz).replace(tzinfo=None)
        try:
            holidays = company._collections_working_days(local.date(), local.date() + timedelta(days=366))[0]
            moment = dunning.next_contact_time(local, opening_hours, holidays)
        except ValueError:
            return now
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------

    def _policy_model(self, policy):
        return dunning.Policy(
            levels=[dunning.Level(level.id, level.days, level.id) for level in policy.level_ids],
            min_days_between_contacts=policy.min_days_between_contacts,
            tolerance=to_decimal(policy.tolerance_amount),
        )

    def _excluded_partner_ids(self, data):
        as_of = data.as_of
        return {
            partner_id
            for partner_id, values in data.partners.items()
            if values["collections_excluded"]
            or (values["collections_next_action_date"] and values["collections_next_action_date"] > as_of)
        }

    def _plan(self, data):
        """Contacts of the run: ``lib.dunning.plan_run`` once per policy."""
        policies = self.env["collections.policy"].sudo().browse(set(data.policy_by_partner.values()))
        instalments_by_policy = defaultdict(list)
        for instalment in data.instalments:
            policy_id = data.policy_by_partner.get(instalment.partner_id)
            if policy_id:
                instalments_by_policy[policy_id].append(instalment)
        excluded_partner_ids = self._excluded_partner_ids(data)
        contacts, postponed = [], []
        for policy in policies.filtered("active"):
            if not policy.level_ids:
                continue
            policy_contacts, policy_postponed = dunning.plan_run(
                instalments_by_policy[policy.id],
                self._policy_model(policy),
                data.as_of,
                executed_pairs=data.executed_pairs,
                last_contact=data.last_contact,
                credits=data.credits,
                holidays=data.holidays,
                weekend=data.weekend,
                excluded_instalment_ids=data.paused_line_ids,
                excluded_partner_ids=excluded_partner_ids,
            )
            contacts += [(policy, contact) for contact in policy_contacts]
            postponed += [(policy, item) for item in policy_postponed]
        return contacts, postponed

    def _overdue_partner_ids(self, data):
        """Partners with at least one instalment past its effective due date."""
        overdue = set()
        for row in data.lines.values():
            if row["partner_id"] in overdue:
                continue
            if lib_days_late(row["due_date"], data.as_of, data.holidays, data.weekend) > 0:
                overdue.add(row["partner_id"])
        return overdue

    def _lift_suspensions(self, data):
        """Lift the service suspensions and dunning credit holds of partners
        with nothing overdue any more. Returns how many partners were lifted."""
        Partner = self.env["res.partner"].sudo().with_company(data.company)
        held = Partner.search(
            ["|", ("service_suspended_date", "!=", False), ("credit_hold_level_id", "!=", False),
             ("parent_id", "=", False)]
        )
        overdue = self._overdue_partner_ids(data)
        lifted = held.filtered(lambda partner: partner.id not in overdue)
        if lifted:
            lifted.write({
                "service_suspended_date": False,
                "service_suspension_reason": False,
                "credit_hold_level_id": False,
            })
            self.env["mail.message"].sudo().create([
                self._note_values(partner, _("Nothing overdue any more: service suspension "
                                             "and collection credit hold lifted."))
                for partner in lifted
            ])
        return len(lifted)

    def _overview(self, data):
        """{partner id: {'status', 'level_id', 'next_date', 'overdue', 'open',
        'oldest_days_late', 'last_contact', 'line_ids'}} as the run of
        ``data.as_of`` sees the partners of ``data`` (nothing is executed)."""
        as_of = data.as_of
        contacts, postponed = self._plan(data)
        contact_partner_ids = {contact.partner_id for _policy, contact in contacts}
        postponed_dates = {item.partner_id: item.next_date for _policy, item in postponed}
        excluded = {pid for pid, values in data.partners.items() if values["collections_excluded"]}
        policies = self.env["collections.policy"].sudo().browse(set(data.policy_by_partner.values()))
        levels_by_policy = {
            policy.id: sorted(policy.level_ids, key=lambda level: (level.days, level.id))
            for policy in policies if policy.active
        }
        tolerance_by_policy = {policy.id: to_decimal(policy.tolerance_amount) for policy in policies}
        overview = {}
        for line_id, row in data.lines.items():
            partner_id = row["partner_id"]
            info = overview.setdefault(partner_id, {
                "overdue": 0.0, "open": 0.0, "oldest_days_late": 0, "line_ids": [],
                "level": None, "next_date": None,
                "last_contact": data.last_contact.get(partner_id, False),
            })
            days = lib_days_late(row["due_date"], as_of, data.holidays, data.weekend)
            info["line_ids"].append(line_id)
            info["open"] += float(row["residual_company"])
            if days > 0:
                info["overdue"] += float(row["residual_company"])
                info["oldest_days_late"] = max(info["oldest_days_late"], days)
            policy_id = data.policy_by_partner.get(partner_id)
            levels = levels_by_policy.get(policy_id)
            if (not levels or row["in_dispute"] or line_id in data.paused_line_ids
                    or row["residual"] <= tolerance_by_policy[policy_id]):
                continue
            reached = [level for level in levels if level.days <= days]
            if reached and (info["level"] is None or (reached[-1].days, reached[-1].id) > (info["level"].days, info["level"].id)):
                info["level"] = reached[-1]
            upcoming = [level for level in levels if level.days > days and (line_id, level.id) not in data.executed_pairs]
            if upcoming:
                due = effective_due_date(row["due_date"], data.holidays, data.weekend) + timedelta(days=upcoming[0].days)
                if info["next_date"] is None or due < info["next_date"]:
                    info["next_date"] = due
        for partner_id, info in overview.items():
            values = data.partners.get(partner_id, {})
            postponed_until = values.get("collections_next_action_date")
            paused = any(line_id in data.paused_line_ids for line_id in info["line_ids"])
            if partner_id in excluded:
                status = "excluded"
                info["next_date"] = None
            elif partner_id in data.planned_partner_ids:
                # a contact waits for a collector's review: someone must act
                status, info["next_date"] = "action", as_of
            elif postponed_until and postponed_until > as_of:
                # the collector deferred it: late, but nothing to do before that date
                status, info["next_date"] = "overdue", postponed_until
            elif partner_id in contact_partner_ids:
                status, info["next_date"] = "action", as_of
            elif paused:
                status = "in_plan"
            elif info["overdue"] > 0:
                status = "overdue"
            else:
                status = "no_action"
            if partner_id in postponed_dates and status not in ("excluded", "in_plan"):
                info["next_date"] = postponed_dates[partner_id]
            info["status"] = status
            info["level_id"] = info.pop("level").id if info["level"] else False
            info["next_date"] = info["next_date"] or False
        return overview

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------

    def _execute_batch(self, data, batch, counts):
        """Record the contacts of ``batch`` as actions, their pairs as executed,
        and execute the automatic ones."""
        Action = self.env["collections.followup.action"].sudo()
        company = data.company
        partner_ids = [contact.partner_id for _policy, contact in batch]
        # A newer contact supersedes the ones still waiting for review.
        superseded = Action.search(
            [("partner_id", "in", partner_ids), ("state", "=", "planned"), ("company_id", "=", company.id)]
        )
        superseded.write({"state": "cancelled", "failure_reason": _("Superseded by a later contact.")})

        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        collector_by_partner = {
            values["id"]: values["collections_responsible_id"]
            for values in partners.read(["collections_responsible_id"], load=None)
        }
        levels = self.env["collections.level"].sudo().browse(
            {contact.level.id for _policy, contact in batch}
        )
        level_by_id = {level.id: level for level in levels}
        currencies = self.env["res.currency"].browse(
            {currency_id for _policy, contact in batch for currency_id, _total in contact.totals}
        )
        currency_by_id = {currency.id: currency for currency in currencies}

        action_values = []
        for policy, contact in batch:
            level = level_by_id[contact.level.id]
            oldest = max(
                lib_days_late(data.lines[line_id]["due_date"], data.as_of, data.holidays, data.weekend)
                for line_id in contact.instalment_ids
            )
            amount_claimed = sum(
                currency_by_id[currency_id]._convert(
                    float(total), company.currency_id, company, data.as_of, round=True
                ) if currency_id != company.currency_id.id else float(total)
                for currency_id, total in contact.totals
            )
            action_values.append({
                "partner_id": contact.partner_id,
                "company_id": company.id,
                "date": data.as_of,
                "policy_id": policy.id,
                "level_id": level.id,
                "state": "planned" if not level.automatic else "done",
                "kind": "automatic",
                "user_id": self.env.user.id,
                "collector_id": collector_by_partner.get(contact.partner_id) or False,
                "days_late": oldest,
                "amount_claimed": amount_claimed,
                "claim_summary": "; ".join(
                    "%s %s" % (currency_by_id[currency_id].name,
                               round_money(total, currency_by_id[currency_id].rounding))
                    for currency_id, total in contact.totals
                ),
            })
        actions = Action.create(action_values)

        line_rows, pair_rows = [], []
        for (_policy, contact), action in zip(batch, actions):
            level_of_line = {}
            for line_id, level_id in contact.new_pairs:
                pair_rows.append((line_id, level_id, action.id, company.id))
                level_of_line[line_id] = level_id
            for line_id in contact.instalment_ids:
                row = data.lines[line_id]
                line_rows.append((
                    action.id, company.id, line_id, row["move_id"], row["due_date"],
                    lib_days_late(row["due_date"], data.as_of, data.holidays, data.weekend),
                    level_of_line.get(line_id), row["currency_id"], float(row["residual"]),
                ))
        # Plain rows, many per contact: inserted in bulk rather than through create().
        for rows in split_every(5000, line_rows):
            self.env.cr.execute(
                """
                INSERT INTO collections_followup_action_line
                       (action_id, company_id, move_line_id, move_id, date_maturity, days_late, level_id,
                        currency_id, amount_residual, create_uid, write_uid, create_date, write_date)
                SELECT action_id, company_id, move_line_id, move_id, date_maturity, days_late, level_id,
                       currency_id, amount_residual, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::date[], %s::int[], %s::int[],
                              %s::int[], %s::numeric[])
                       AS t(action_id, company_id, move_line_id, move_id, date_maturity, days_late, level_id,
                            currency_id, amount_residual)
                """,
                [self.env.uid, self.env.uid] + [list(column) for column in zip(*rows)],
            )
        self.env["collections.followup.action.line"].invalidate_model()
        actions.invalidate_recordset(["line_ids", "instalment_count"])

        # The unique index decides: a pair another run recorded first is
        # skipped, and an action left without a new pair is not executed.
        inserted = set()
        for rows in split_every(1000, pair_rows):
            self.env.cr.execute(
                """
                INSERT INTO collections_followup_pair (move_line_id, level_id, action_id, company_id)
                SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[])
                ON CONFLICT (move_line_id, level_id) DO NOTHING
                RETURNING action_id
                """,
                [list(column) for column in zip(*rows)],
            )
            inserted.update(row[0] for row in self.env.cr.fetchall())
        duplicates = actions.filtered(lambda action: action.id not in inserted)
        if duplicates:
            duplicates.unlink()
            actions -= duplicates

        planned = actions.filtered(lambda action: action.state == "planned")
        counts["actions_planned"] += len(planned)
        to_execute = actions - planned
        if to_execute:
            claims = self._claims_from_data(data, [contact for _policy, contact in batch])
            to_execute.with_context(collections_claims=claims)._execute_channels(counts)
        counts["partners_contacted"] += len(to_execute)
        counts["actions_done"] += len(to_execute.filtered(lambda a: a.state == "done"))
        counts["actions_failed"] += len(to_execute.filtered(lambda a: a.state == "failed"))
        return actions

    def _claims_from_data(self, data, contacts):
        """Claim groups of ``contacts`` built from the gathered rows, without
        reading the journal items again; late charges when a module provides them."""
        line_ids = [line_id for contact in contacts for line_id in contact.instalment_ids]
        late_charges = {}
        if line_ids and hasattr(self.env.registry["account.move.line"], "_collections_late_charges"):
            late_charges = self.env["account.move.line"].sudo().browse(line_ids)._collections_late_charges(data.as_of)
        Partner = self.env["res.partner"]
        claims = {}
        for contact in contacts:
            lines = []
            for line_id in sorted(contact.instalment_ids, key=lambda i: (data.lines[i]["due_date"], i)):
                row = data.lines[line_id]
                residual = float(row["residual"])
                claim = {
                    "line_id": line_id, "move_id": row["move_id"], "move_name": row["move_name"],
                    "partner_id": row["partner_id"], "date_maturity": row["due_date"],
                    "days_late": lib_days_late(row["due_date"], data.as_of, data.holidays, data.weekend),
                    "currency_id": row["currency_id"], "residual": residual,
                }
                Partner._collections_add_late_charges(claim, late_charges.get(line_id))
                lines.append(claim)
            credits = {
                currency_id: amount for (partner_id, currency_id), amount in data.credits.items()
                if partner_id == contact.partner_id
            } if data.credits else {}
            claims[contact.partner_id] = Partner._collections_group_claim_lines(lines, credits)
        return claims

    def _claims_by_partner(self, actions):
        """{partner id: claim groups (see res.partner._collections_group_claim_lines)}
        of the lines claimed by ``actions``, read in one pass."""
        lines_by_partner = self.env["res.partner"]._collections_claim_lines_by_partner(
            actions[:1].date, actions.line_ids.move_line_id.ids, company=actions[:1].company_id
        )
        credits = self._partner_credits(actions[:1].company_id, list(lines_by_partner))
        Partner = self.env["res.partner"]
        return {
            partner_id: Partner._collections_group_claim_lines(lines, credits.get(partner_id))
            for partner_id, lines in lines_by_partner.items()
        }

    @api.model
    def _partner_credits(self, company, partner_ids):
        """{partner id: {currency id: unreconciled credit (positive Decimal)}}:
        payments and credit notes not yet matched with an invoice."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT move.commercial_partner_id, aml.currency_id, -SUM(aml.amount_residual_currency)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %s AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable' AND NOT aml.reconciled
               AND aml.amount_residual_currency < 0
               AND move.commercial_partner_id = ANY(%s)
             GROUP BY move.commercial_partner_id, aml.currency_id
            """,
            [company.id, list(partner_ids)],
        )
        credits = defaultdict(dict)
        for partner_id, currency_id, amount in self.env.cr.fetchall():
            credits[partner_id][currency_id] = to_decimal(amount)
        return credits

    def _note_values(self, partner, body):
        return {
            "model": "res.partner",
            "res_id": partner.id,
            "body": body,
            "message_type": "comment",
            "subtype_id": self.env.ref("mail.mt_note").id,
            "author_id": self.env.user.partner_id.id,
            "reply_to": self.env.company.email_formatted or self.env.user.email_formatted or False,
        }
