import dataclasses
import logging
import threading
from collections import defaultdict
from datetime import timedelta

import pytz
from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.tools import format_amount, format_date, split_every

from ..lib import dunning
from ..lib.workdays import WEEKEND, next_working_day
from .bulk import gc_paused
from .collections_run import COUNT_FIELDS

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock taken per company while its follow-up runs
# (the second key is the company id): two runs of one company never interleave.
LOCK_NAMESPACE = 704113

CLOSED_ACTION_STATES = ("done", "failed")

# A written notice the customer received: a letter printed, or an e-mail queued
# that was neither cancelled before it went (a promise, a dispute or a plan
# closed the loop) nor failed; an e-mail sent and deleted since counts.
WRITTEN_NOTICE = """(
    action.letter_state = 'done'
    OR (action.email_state = 'done' AND NOT EXISTS (
        SELECT 1 FROM mail_mail mail
         WHERE mail.id = action.mail_id AND mail.state IN ('cancel', 'exception')))
)"""


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
        self.policy_by_line = {}  # line id -> policy id: an active plan's instalments
        self.dunning_due_dates = {}  # line id -> due date the levels count from (a broken plan)
        self.executed_pairs = set()
        self.last_contact = {}
        self.paused_line_ids = set()  # covered by an open promise
        self.below_tolerance_ids = set()  # residual within the policy tolerance (company currency)
        self.snapshot = None  # the collections.receivable snapshot read by the run
        self.items_by_partner = {}  # partner id -> [OpenItem] in due date order
        self.notices = {}  # partner id -> [(level days, date)] of written notices received
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
    def _run(self, as_of, companies, simulate=False):
        """Run the follow-up of ``companies`` for ``as_of``; returns the summary
        dict. Each company's run is a ``collections.run`` record; a company
        that fails is logged there and does not stop the others. ``simulate``
        runs everything in a savepoint rolled back at the end: nothing is
        written, the summary says what would be done."""
        testing = getattr(threading.current_thread(), "testing", False)
        auto_commit = not testing and not simulate
        summary = {
            "date": fields.Date.to_string(as_of),
            "simulate": bool(simulate),
            "companies": [],
            "run_ids": [],
            **dict.fromkeys(COUNT_FIELDS, 0),
        }
        for company in companies:
            engine = self.with_company(company).with_context(allowed_company_ids=[company.id])
            if simulate:
                engine = engine.with_context(collections_simulate=True)
                savepoint = self.env.cr.savepoint()
                try:
                    company_summary = engine._run_company(as_of, auto_commit=False)
                finally:
                    savepoint.rollback()
                    savepoint.close(rollback=False)
                    self.env.invalidate_all()
                company_summary["run_id"] = False
            else:
                company_summary = engine._run_company(as_of, auto_commit)
                summary["run_ids"].append(company_summary["run_id"])
            summary["companies"].append(company_summary)
            for key in COUNT_FIELDS:
                summary[key] += company_summary.get(key, 0)
        return summary

    def _lock_company(self, company, auto_commit):
        """Serialise the runs of one company.

        Outside tests: a session-level lock held across the batch commits
        (released only after the last commit), then a commit so this run's
        snapshot sees every pair the previous run committed. In tests (no
        commits): a transaction-level lock.
        """
        if auto_commit:
            self.env.cr.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, company.id))
            # only with auto_commit (the cron): a long run commits step by step, by design
            # pylint: disable-next=invalid-commit
            self.env.cr.commit()  # fresh snapshot taken after the lock is ours
        else:
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, company.id))

    def _unlock_company(self, company, auto_commit):
        if auto_commit:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, company.id))

    def _run_company(self, as_of, auto_commit):
        """The run of the current company, recorded as a ``collections.run``."""
        company = self.env.company
        Run = self.env["collections.run"].sudo()
        counts = defaultdict(int)
        self._lock_company(company, auto_commit)
        run = Run.create(
            {
                "company_id": company.id,
                "date": as_of,
                "user_id": self.env.uid,
                "started_at": fields.Datetime.now(),
            }
        )
        if auto_commit:
            # only with auto_commit (the cron): a long run commits step by step, by design
            self.env.cr.commit()  # pylint: disable=invalid-commit
        log = []
        try:
            try:
                if auto_commit:
                    state = self._run_company_steps(run, as_of, auto_commit, counts, log)
                else:
                    # without commits (tests, simulations, a run inside a caller's
                    # transaction) a failing company still leaves nothing half done
                    with self.env.cr.savepoint():
                        state = self._run_company_steps(run, as_of, auto_commit, counts, log)
            except Exception as error:  # noqa: BLE001 - one company's failure must not stop the others
                if auto_commit:
                    self.env.cr.rollback()
                self.env.invalidate_all()
                counts.clear()
                _logger.exception("Follow-up run of %s on %s failed", company.name, as_of)
                log.append(self.env._("The run stopped: %(error)s", error=error))
                state = "failed"
                self._notify_run_failure(run, error)
            run.write(
                dict(
                    {key: counts[key] for key in COUNT_FIELDS},
                    state=state,
                    ended_at=fields.Datetime.now(),
                    log="\n".join(str(line) for line in log) or False,
                )
            )
            if auto_commit:
                # only with auto_commit (the cron): a long run commits step by step, by design
                # pylint: disable-next=invalid-commit
                self.env.cr.commit()  # the last writes are committed before the lock is released
        finally:
            self._unlock_company(company, auto_commit)
        return run._summary()

    def _run_company_steps(self, run, as_of, auto_commit, counts, log):
        """Decide the contacts, then execute them; returns the run's state:
        ``done``, or ``running`` when the contacts were handed to workers
        (the queue_job bridge, ``collections_followup_queue``)."""
        with gc_paused():
            data, contacts = self._prepare_contacts(as_of, auto_commit, counts)
            return self._execute_contacts(run, data, contacts, auto_commit, counts, log)

    def _prepare_contacts(self, as_of, auto_commit, counts):
        """Promises brought up to date, the snapshot gathered, suspensions
        lifted and the contacts planned: ``(FollowupData, contacts)``."""
        company = self.env.company
        promises = (
            self.env["collections.promise"]
            .sudo()
            .search([("company_id", "=", company.id), ("state", "=", dunning.PROMISE_OPEN)])
        )
        broken = promises._update_state(as_of)
        counts["promises_broken"] = len(broken)
        counts["promises_kept"] = len(promises.filtered(lambda p: p.state == dunning.PROMISE_KEPT))

        data = self._gather(company, as_of)
        counts["suspensions_lifted"] = self._lift_suspensions(data)
        # announced suspensions due today (also a cron of their own)
        self.env["collections.followup.action"].sudo().search(
            [
                ("company_id", "=", company.id),
                ("suspension_state", "=", "announced"),
                ("suspension_planned_date", "<=", as_of),
            ]
        )._collections_apply_suspensions(as_of)
        contacts, postponed = self._plan(data)
        counts["postponed"] = len(postponed)
        if auto_commit:
            # each batch then runs in a transaction of its own, whose snapshot
            # sees the payments committed since the data was gathered
            # only with auto_commit (the cron): a long run commits step by step, by design
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return data, contacts

    def _execute_contacts(self, run, data, contacts, auto_commit, counts, log):
        """Execute the planned contacts in batches of ``_batch_size``, one
        transaction each with auto_commit; returns the run's state (``done``)."""
        company = self.env.company
        done = 0
        for batch in split_every(self._batch_size, contacts):
            for attempt in range(3):
                try:
                    self._execute_batch_isolated(run, data, batch, counts, log)
                    break
                except TransactionRollbackError:
                    # a concurrent update (a payment, another worker): redo the
                    # batch in a fresh transaction, it re-reads the ledger
                    if not auto_commit or attempt == 2:
                        raise
                    _logger.info("Follow-up batch of %s: serialization failure, retrying", company.name)
                    self.env.cr.rollback()
                    self.env.invalidate_all()
            done += len(batch)
            if auto_commit:
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(contacts) - done)
                # One batch per transaction: a crash loses at most this batch, and
                # its pairs are not recorded, so a re-run continues from here.
                # only with auto_commit (the cron): a long run commits step by step, by design
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self._refresh_worklist(company, data.as_of, log)
        if auto_commit:
            # only with auto_commit (the cron): a long run commits step by step, by design
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return "done"

    def _refresh_worklist(self, company, as_of, log):
        """The collector's worklist (``collections.partner.status``) as the
        ledger is after the run; a failure there is logged, the run stays done."""
        try:
            with self.env.cr.savepoint():
                self.env["collections.partner.status"].sudo()._refresh(company, as_of)
        except Exception as error:  # noqa: BLE001 - the contacts are made; the list is refreshed next time
            _logger.exception("Worklist refresh of %s failed", company.name)
            self.env.invalidate_all()
            log.append(self.env._("The worklist was not refreshed: %(error)s", error=error))

    def _execute_batch_isolated(self, run, data, batch, counts, log):
        """``_execute_batch`` in a savepoint; when it fails, each contact of
        the batch again in its own savepoint, so one customer whose contact
        fails (a broken template, a bad address) is logged and skipped and
        the others go on. A skipped customer's pairs are not recorded: the
        next run tries again."""
        try:
            with self.env.cr.savepoint():
                self._execute_batch(data, batch, counts, run)
            return
        except TransactionRollbackError:
            raise  # the whole transaction must start again (see _run_company_steps)
        except Exception:  # noqa: BLE001 - retried contact by contact below
            _logger.warning("Follow-up batch failed, retrying contact by contact", exc_info=True)
            self.env.invalidate_all()
        for item in batch:
            partial = defaultdict(int)
            try:
                with self.env.cr.savepoint():
                    self._execute_batch(data, [item], partial, run)
            except TransactionRollbackError:
                raise
            except Exception as error:  # noqa: BLE001 - the customer is logged and skipped
                self.env.invalidate_all()
                partner = self.env["res.partner"].sudo().browse(item[1].partner_id)
                reason = " ".join(str(error).splitlines()[:2])[:300]
                log.append(
                    self.env._(
                        "%(partner)s: not contacted: %(error)s", partner=partner.display_name, error=reason
                    )
                )
                counts["actions_failed"] += 1
                continue
            for key, value in partial.items():
                counts[key] += value

    def _notify_run_failure(self, run, error):
        """An activity on the run for the collections managers of the company."""
        managers = (
            self.env.ref("collections_followup.group_collections_manager")
            .sudo()
            .users.filtered(lambda user: run.company_id in user.company_ids and not user.share)
        )
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not managers or not activity_type:
            return
        model_id = self.env["ir.model"]._get_id("collections.run")
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": run.id,
                    "activity_type_id": activity_type.id,
                    "user_id": managers[0].id,
                    "summary": self.env._("Follow-up run failed"),
                    "note": self.env._(
                        "The follow-up run of %(date)s failed: %(error)s",
                        date=format_date(self.env, run.date),
                        error=error,
                    ),
                }
            ]
        )

    # ------------------------------------------------------------------
    # Gathering
    # ------------------------------------------------------------------

    def _gather(self, company, as_of, partner_ids=None):
        """FollowupData of ``company`` for ``as_of``, optionally limited to
        some commercial partners: the receivable snapshot (the one reader of
        open instalments, ``collections.receivable``) plus what only the run
        needs (executed pairs, last contacts, contacts waiting for review)."""
        data = FollowupData(company, as_of)
        snapshot = self.env["collections.receivable"]._snapshot(company, as_of, partner_ids=partner_ids)
        data.snapshot = snapshot
        data.items_by_partner = snapshot.by_partner()
        data.holidays, data.weekend = snapshot.holidays, snapshot.weekend
        data.credits = snapshot.credits
        for item in snapshot.items.values():
            data.lines[item.line_id] = {
                "partner_id": item.partner_id,
                "currency_id": item.currency_id,
                "due_date": item.due_date,
                "effective_due_date": item.effective_due_date,
                "days_late": item.days_late,
                "residual": item.residual,
                "residual_company": item.residual_company,
                "move_id": item.move_id,
                "move_name": item.move_name,
                "in_dispute": item.in_dispute,
                "is_charge_invoice": item.is_charge_invoice,
                "item": item,
            }
            if item.promised:
                data.paused_line_ids.add(item.line_id)
            if item.in_dispute:
                continue
            # the tolerance is compared in company currency (lib.receivable)
            if item.residual_company <= snapshot.tolerance.get(item.partner_id, 0):
                data.below_tolerance_ids.add(item.line_id)
            data.instalments.append(
                dunning.Instalment(
                    item.line_id, item.partner_id, item.currency_id, item.due_date, item.residual
                )
            )
        for partner_id, values in snapshot.partners.items():
            data.partners[partner_id] = {
                "id": partner_id,
                "collections_policy_id": values["policy_id"],
                "collections_excluded": values["excluded"],
                "collections_next_action_date": values["next_action_date"],
            }
            if values["policy_id"]:
                data.policy_by_partner[partner_id] = values["policy_id"]

        self._gather_plan_rules(data)
        cr = self.env.cr
        partner_ids = list(snapshot.partners)
        # the queries below read the run's own records: flush what they read
        self.env["collections.followup.pair"].flush_model(["move_line_id", "level_id"])
        self.env["collections.followup.action"].flush_model(
            [
                "partner_id",
                "company_id",
                "state",
                "date",
                "level_id",
                "kind",
                "email_state",
                "letter_state",
                "mail_id",
            ]
        )
        self.env["collections.level"].flush_model(["days"])
        self.env["mail.mail"].flush_model(["state"])
        cr.execute(
            "SELECT move_line_id, level_id FROM collections_followup_pair WHERE move_line_id = ANY(%s)",
            [list(data.lines)],
        )
        data.executed_pairs = set(cr.fetchall())
        cr.execute(
            """
            SELECT partner_id, MAX(date) FROM collections_followup_action
             WHERE company_id = %s AND state IN %s AND partner_id = ANY(%s)
               AND kind NOT IN ('service', 'level_change')
             GROUP BY partner_id
            """,
            [company.id, CLOSED_ACTION_STATES, partner_ids],
        )
        data.last_contact = dict(cr.fetchall())
        cr.execute(
            """
            SELECT DISTINCT partner_id FROM collections_followup_action
             WHERE company_id = %s AND state = 'planned' AND partner_id = ANY(%s)
            """,
            [company.id, partner_ids],
        )
        data.planned_partner_ids = {row[0] for row in cr.fetchall()}
        # written notices received (lib.dunning.secure_contact)
        cr.execute(
            """
            SELECT action.partner_id, level.days, MAX(action.date)
              FROM collections_followup_action action
              JOIN collections_level level ON level.id = action.level_id
             WHERE action.company_id = %s AND action.partner_id = ANY(%s)
               AND {WRITTEN_NOTICE}
               AND action.date <= %s
          GROUP BY action.partner_id, level.days
            """.replace("{WRITTEN_NOTICE}", WRITTEN_NOTICE),
            [company.id, partner_ids, as_of],
        )
        for partner_id, level_days, day in cr.fetchall():
            data.notices.setdefault(partner_id, []).append((level_days, day))
        return data

    def _gather_plan_rules(self, data):
        """The instalments of payment plans (``is_plan`` rows of the
        snapshot), one query: those of an active plan are chased by the
        plan's policy (else the company's plan policy, else the customer's);
        those of a broken plan with a resume level count their levels so
        that the follow-up resumes at that level on the break date."""
        items = [item for item in data.snapshot.items.values() if item.is_plan]
        if not items:
            return
        self.env["collections.plan"].flush_model(
            ["move_id", "state", "policy_id", "resume_level_id", "break_date"]
        )
        self.env.cr.execute(
            """
            SELECT move_id, state, policy_id, resume_level_id, break_date
              FROM collections_plan
             WHERE move_id = ANY(%s) AND state IN ('active', 'broken')
            """,
            [list({item.move_id for item in items})],
        )
        rules = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        default_policy_id = data.company.sudo().collections_plan_policy_id.id
        resume_levels = (
            self.env["collections.level"].sudo().browse({rule[2] for rule in rules.values() if rule[2]})
        )
        level_days = {
            level.id: (
                [lv.days for lv in level.policy_id.level_ids.sorted(lambda lv: (lv.days, lv.id))],
                level,
            )
            for level in resume_levels
        }
        resumed = {}
        for item in items:
            rule = rules.get(item.move_id)
            if not rule:
                continue
            state, policy_id, level_id, break_date = rule
            if state == "active":
                if policy_id or default_policy_id:
                    data.policy_by_line[item.line_id] = policy_id or default_policy_id
            elif level_id in level_days and break_date and item.due_date <= break_date:
                if (level_id, break_date) not in resumed:
                    days, level = level_days[level_id]
                    position = (
                        sorted(level.policy_id.level_ids, key=lambda lv: (lv.days, lv.id)).index(level) + 1
                    )
                    resumed[(level_id, break_date)] = dunning.resume_due_date(
                        days, position, break_date, data.holidays, data.weekend
                    )
                if resumed[(level_id, break_date)]:
                    data.dunning_due_dates[item.line_id] = resumed[(level_id, break_date)]
        if data.dunning_due_dates:
            data.instalments = [
                dataclasses.replace(instalment, due_date=data.dunning_due_dates[instalment.id])
                if instalment.id in data.dunning_due_dates
                else instalment
                for instalment in data.instalments
            ]

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
            in_sequence=policy.send_levels_in_sequence,
            # compared in company currency by the snapshot (below_tolerance_ids)
            tolerance=0,
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
        policies = (
            self.env["collections.policy"]
            .sudo()
            .browse(set(data.policy_by_partner.values()) | set(data.policy_by_line.values()))
        )
        instalments_by_policy = defaultdict(list)
        for instalment in data.instalments:
            policy_id = data.policy_by_line.get(instalment.id) or data.policy_by_partner.get(
                instalment.partner_id
            )
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
                excluded_instalment_ids=data.paused_line_ids | data.below_tolerance_ids,
                excluded_partner_ids=excluded_partner_ids,
            )
            policy_contacts, secured_postponed = self._secure_escalation(data, policy, policy_contacts)
            contacts += [(policy, contact) for contact in policy_contacts]
            postponed += [(policy, item) for item in policy_postponed + secured_postponed]
        return contacts, postponed

    def _secure_escalation(self, data, policy, contacts):
        """lib.dunning.secure_contact on each contact of ``policy``: harsh
        effects only after a written notice of a lower level, at least the
        policy's notice days before; a backlog gets the highest notice first."""
        levels = policy.level_ids
        harsh = {level.id for level in levels if level._collections_is_harsh()}
        if not harsh:
            return contacts, []
        written = {level.id for level in levels if level.send_email or level.send_letter}
        level_models = self._policy_model(policy).levels
        secured, postponed = [], []
        for contact in contacts:
            safe, waiting = dunning.secure_contact(
                contact,
                level_models,
                harsh,
                written,
                data.notices.get(contact.partner_id, []),
                data.as_of,
                policy.notice_days_before_measures,
                data.executed_pairs,
            )
            if safe:
                secured.append(safe)
            else:
                postponed.append(waiting)
        return secured, postponed

    def _overdue_partner_ids(self, data):
        """Partners with at least one overdue instalment (lib.receivable)."""
        snapshot = data.snapshot
        return {item.partner_id for item in snapshot.items.values() if snapshot.is_overdue(item)}

    def _lift_suspensions(self, data):
        """Lift the service suspensions and dunning credit holds of partners
        with nothing overdue any more. Returns how many partners were lifted."""
        Partner = self.env["res.partner"].sudo().with_company(data.company)
        held = Partner.search(
            [
                "|",
                ("service_suspended_date", "!=", False),
                ("credit_hold_level_id", "!=", False),
                ("parent_id", "=", False),
            ]
        )
        overdue = self._overdue_partner_ids(data)
        lifted = held.filtered(lambda partner: partner.id not in overdue)
        # a Collections Manager's suspension is lifted by a manager only: the
        # run lifts only the collection credit hold of such a customer
        manual = lifted.filtered("service_suspension_manual")
        manual = manual.filtered("credit_hold_level_id")
        lifted = lifted.filtered(lambda partner: not partner.service_suspension_manual)
        if lifted:
            lifted.write(
                {
                    "service_suspended_date": False,
                    "service_suspension_reason": False,
                    "credit_hold_level_id": False,
                }
            )
            self.env["collections.followup.action"].sudo().search(
                [
                    ("company_id", "=", data.company.id),
                    ("partner_id", "in", lifted.ids),
                    ("suspension_state", "=", "suspended"),
                    ("kind", "!=", "service"),
                ]
            ).write({"suspension_state": "lifted"})
            self.env["mail.message"].sudo().create(
                [
                    self._note_values(
                        partner,
                        self.env._(
                            "Nothing overdue any more: service suspension and collection credit hold lifted."
                        ),
                    )
                    for partner in lifted
                ]
            )
        if manual:
            manual.write({"credit_hold_level_id": False})
            self.env["mail.message"].sudo().create(
                [
                    self._note_values(
                        partner, self.env._("Nothing overdue any more: collection credit hold lifted.")
                    )
                    for partner in manual
                ]
            )
        return len(lifted | manual)

    def _overview(self, data):
        """{partner id: {'status', 'level_id', 'next_date', 'overdue', 'open',
        'oldest_days_late', 'last_contact', 'line_ids'}} as the run of
        ``data.as_of`` sees the partners of ``data`` (nothing is executed)."""
        as_of = data.as_of
        contacts, postponed = self._plan(data)
        contact_partner_ids = {contact.partner_id for _policy, contact in contacts}
        postponed_dates = {item.partner_id: item.next_date for _policy, item in postponed}
        excluded = {pid for pid, values in data.partners.items() if values["collections_excluded"]}
        policies = (
            self.env["collections.policy"]
            .sudo()
            .browse(set(data.policy_by_partner.values()) | set(data.policy_by_line.values()))
        )
        levels_by_policy = {
            policy.id: sorted(policy.level_ids, key=lambda level: (level.days, level.id))
            for policy in policies
            if policy.active
        }
        overview = {}
        for line_id, row in data.lines.items():
            partner_id = row["partner_id"]
            info = overview.setdefault(
                partner_id,
                {
                    "overdue": 0.0,
                    "open": 0.0,
                    "oldest_days_late": 0,
                    "line_ids": [],
                    "level": None,
                    "next_date": None,
                    "last_contact": data.last_contact.get(partner_id, False),
                },
            )
            days = row["days_late"]
            info["line_ids"].append(line_id)
            info["open"] += float(row["residual_company"])
            if data.snapshot.is_overdue(row["item"]):
                info["overdue"] += float(row["residual_company"])
                info["oldest_days_late"] = max(info["oldest_days_late"], days)
            policy_id = data.policy_by_line.get(line_id) or data.policy_by_partner.get(partner_id)
            levels = levels_by_policy.get(policy_id)
            if (
                not levels
                or row["in_dispute"]
                or line_id in data.paused_line_ids
                or line_id in data.below_tolerance_ids
            ):
                continue
            # the run's rule: pre-due levels from the printed due date, the others from the effective one
            due_date = data.dunning_due_dates.get(line_id, row["due_date"])
            position = dunning.reached_position(
                [level.days for level in levels], due_date, as_of, data.holidays, data.weekend
            )
            reached = levels[:position]
            if reached and (
                info["level"] is None
                or (reached[-1].days, reached[-1].id) > (info["level"].days, info["level"].id)
            ):
                info["level"] = reached[-1]
            upcoming = [
                level for level in levels[position:] if (line_id, level.id) not in data.executed_pairs
            ]
            if upcoming:
                start = row["due_date"] if upcoming[0].days < 0 else row["effective_due_date"]
                if line_id in data.dunning_due_dates:  # a broken plan resumed at a level
                    start = (
                        due_date
                        if upcoming[0].days < 0
                        else next_working_day(due_date, data.holidays, data.weekend)
                    )
                due = start + timedelta(days=upcoming[0].days)
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

    def _execute_batch(self, data, batch, counts, run=None):
        """Record the contacts of ``batch`` as actions with their stored
        claim lines, their pairs as executed, and execute the automatic ones."""
        Action = self.env["collections.followup.action"].sudo()
        company = data.company
        batch = self._recheck_batch(data, batch)
        if not batch:
            return Action
        partner_ids = [contact.partner_id for _policy, contact in batch]
        # A newer contact supersedes the ones still waiting for review.
        superseded = Action.search(
            [("partner_id", "in", partner_ids), ("state", "=", "planned"), ("company_id", "=", company.id)]
        )
        superseded.write(
            {"state": "cancelled", "failure_reason": self.env._("Superseded by a later contact.")}
        )

        partners = self.env["res.partner"].sudo().with_company(company).browse(partner_ids)
        collector_by_partner = {
            values["id"]: values["collections_responsible_id"]
            for values in partners.read(["collections_responsible_id"], load=None)
        }
        levels = self.env["collections.level"].sudo().browse({contact.level.id for _policy, contact in batch})
        level_by_id = {level.id: level for level in levels}
        # The communication lists the chased instalments (overdue ones in the
        # claim, pre-due ones "to fall due" apart) and every open charge
        # invoice of the customer once, as an instalment of its own: charges
        # already invoiced are never claimed again on the charged instalments.
        claimable = set()
        for _policy, contact in batch:
            claimable.update(contact.instalment_ids)
            claimable.update(
                item.line_id
                for item in data.items_by_partner.get(contact.partner_id, ())
                if item.is_charge_invoice and not item.paused and item.line_id not in data.below_tolerance_ids
            )
        claim_lines = self.env["res.partner"]._collections_claim_lines_from_snapshot(data.snapshot, claimable)
        noticed = self._partners_with_notice(company, partner_ids)
        entries = [
            (
                policy,
                contact.partner_id,
                level_by_id[contact.level.id],
                claim_lines.get(contact.partner_id, []),
                contact.new_pairs,
            )
            for policy, contact in batch
        ]
        actions, inserted = self._collections_record_actions(
            data, entries, collector_by_partner, noticed, run=run, kind="automatic"
        )
        duplicates = actions.filtered(lambda action: action.id not in inserted)
        if duplicates:
            duplicates.unlink()
            actions -= duplicates

        planned = actions.filtered(lambda action: action.state == "planned")
        counts["actions_planned"] += len(planned)
        to_execute = actions - planned
        if to_execute:
            to_execute._execute_channels(counts)
        counts["partners_contacted"] += len(to_execute)
        counts["actions_done"] += len(to_execute.filtered(lambda a: a.state == "done"))
        counts["actions_failed"] += len(to_execute.filtered(lambda a: a.state == "failed"))
        return actions

    def _collections_record_actions(
        self, data, entries, collector_by_partner, noticed, run=None, kind="automatic"
    ):
        """Create the actions of ``entries`` [(policy, partner id, level,
        claim lines, (instalment, level) pairs)] with their stored claim
        lines and record their pairs as executed (a pair recorded before is
        kept as it was). Returns (actions, ids of the actions that recorded
        at least one pair). Used by the run and by the collector's desk
        (Send & Print, ``kind`` "manual")."""
        Action = self.env["collections.followup.action"].sudo()
        company = data.company

        action_values = []
        for policy, partner_id, level, lines, _pairs in entries:
            credits = data.snapshot.credits_of(partner_id)
            groups = self.env["res.partner"]._collections_group_claim_lines(
                [line for line in lines if line["overdue"]], credits
            )
            amount_claimed = sum(
                group["currency"]._convert(
                    group["claimed"], company.currency_id, company, data.as_of, round=True
                )
                if group["currency"] != company.currency_id
                else group["claimed"]
                for group in groups
            )
            action_values.append(
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "date": data.as_of,
                    "policy_id": policy.id,
                    "level_id": level.id,
                    "state": "planned" if kind == "automatic" and not level.automatic else "done",
                    "kind": kind,
                    "user_id": self.env.user.id,
                    "collector_id": collector_by_partner.get(partner_id) or False,
                    "days_late": max(line["days_late"] for line in lines) if lines else 0,
                    "amount_claimed": amount_claimed,
                    "claim_summary": "; ".join(
                        format_amount(self.env, group["claimed"], group["currency"]) for group in groups
                    ),
                    "claim_credits": {
                        str(currency_id): float(amount) for currency_id, amount in credits.items()
                    },
                    "has_previous_notice": partner_id in noticed,
                    "run_id": run.id if run else False,
                }
            )
        actions = Action.create(action_values)

        line_rows, pair_rows = [], []
        for (_policy, _partner_id, _level, lines, pairs), action in zip(entries, actions, strict=True):
            level_of_line = {}
            for line_id, level_id in pairs:
                pair_rows.append((line_id, level_id, action.id, company.id))
                level_of_line[line_id] = level_id
            for line in lines:
                line_rows.append(
                    (
                        action.id,
                        company.id,
                        line["line_id"],
                        line["move_id"],
                        line["move_name"],
                        line["date_maturity"],
                        line["effective_due_date"],
                        line["days_late"],
                        line["overdue"],
                        level_of_line.get(line["line_id"]),
                        line["currency_id"],
                        line["residual"],
                        line["fine"],
                        line["interest"],
                        line["correction"],
                        line["charged"],
                        line["charges"],
                        line["updated_total"],
                    )
                )
        # Plain rows, many per contact: inserted in bulk rather than through create().
        for rows in split_every(5000, line_rows):
            self.env.cr.execute(
                """
                INSERT INTO collections_followup_action_line
                       (action_id, company_id, move_line_id, move_id, move_name, date_maturity,
                        effective_due_date, days_late, overdue, level_id, currency_id, amount_residual,
                        amount_fine, amount_interest, amount_correction, amount_charged, amount_charges,
                        amount_updated, create_uid, write_uid, create_date, write_date)
                SELECT action_id, company_id, move_line_id, move_id, move_name, date_maturity,
                       effective_due_date, days_late, overdue, level_id, currency_id, amount_residual,
                       amount_fine, amount_interest, amount_correction, amount_charged, amount_charges,
                       amount_updated, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::varchar[], %s::date[],
                              %s::date[], %s::int[], %s::bool[], %s::int[], %s::int[], %s::numeric[],
                              %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[],
                              %s::numeric[])
                       AS t(action_id, company_id, move_line_id, move_id, move_name, date_maturity,
                            effective_due_date, days_late, overdue, level_id, currency_id, amount_residual,
                            amount_fine, amount_interest, amount_correction, amount_charged, amount_charges,
                            amount_updated)
                """,
                [self.env.uid, self.env.uid] + [list(column) for column in zip(*rows, strict=True)],
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
                [list(column) for column in zip(*rows, strict=True)],
            )
            inserted.update(row[0] for row in self.env.cr.fetchall())
        return actions, inserted

    def _recheck_batch(self, data, batch):
        """The contacts of ``batch`` as the ledger is now, in the batch's own
        transaction: the customers' open instalments are read again (one
        snapshot for the batch), so an instalment paid since the run gathered
        its data is neither claimed nor marked executed, and a customer with
        nothing chased left is not contacted."""
        fresh = self.env["collections.receivable"]._snapshot(
            data.company, data.as_of, partner_ids=[contact.partner_id for _policy, contact in batch]
        )
        data.snapshot.items.update(fresh.items)
        for (partner_id, currency_id), amount in fresh.credits.items():
            data.snapshot.credits[(partner_id, currency_id)] = amount
        kept = []
        for policy, contact in batch:
            stale = {line_id for line_id in contact.instalment_ids if line_id not in fresh.items}
            for line_id in stale:
                data.snapshot.items.pop(line_id, None)
            if not stale:
                kept.append((policy, contact))
                continue
            new_pairs = tuple(pair for pair in contact.new_pairs if pair[0] not in stale)
            if not new_pairs:
                continue
            kept.append(
                (
                    policy,
                    dunning.PartnerContact(
                        partner_id=contact.partner_id,
                        level=contact.level,
                        instalment_ids=tuple(i for i in contact.instalment_ids if i not in stale),
                        new_pairs=new_pairs,
                        totals=contact.totals,
                    ),
                )
            )
        return kept

    @api.model
    def _partners_with_notice(self, company, partner_ids):
        """Ids of the partners among ``partner_ids`` who already received a
        written notice (an e-mail queued or a letter printed) in ``company``."""
        if not partner_ids:
            return set()
        self.env["collections.followup.action"].flush_model(
            ["partner_id", "company_id", "email_state", "letter_state", "mail_id"]
        )
        self.env["mail.mail"].flush_model(["state"])
        self.env.cr.execute(
            """
            SELECT DISTINCT action.partner_id FROM collections_followup_action action
             WHERE action.company_id = %s AND action.partner_id = ANY(%s)
               AND {WRITTEN_NOTICE}
            """.replace("{WRITTEN_NOTICE}", WRITTEN_NOTICE),
            [company.id, list(partner_ids)],
        )
        return {row[0] for row in self.env.cr.fetchall()}

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
