// The claims table: one keyset page at a time (never the whole table), a lease countdown ticking on the ledger's
// clock, rows updated in place by the change stream, and a count of new claims instead of rows moving under the
// operator's hand.

import {call, explain, query, segment} from './api.js';
import {byId, clear, el, say} from './dom.js';
import {clock, countdown, millis, plural} from './format.js';

const PAGE_SIZE = 50;
const TICK_MS = 100;
/** A renewing lease is read again this long before its end, so a renewed one never shows zero. */
const READ_AGAIN_BEFORE_END_MS = 1000;
/** A lease past its end is read again after this long, in case the expiry's change event was missed. */
const READ_AGAIN_AFTER_END_MS = 3000;
const ENDED = new Set(['released', 'expired', 'superseded']);

export function claimKey(consumerId, epoch) {
    return consumerId + '\u0000' + epoch;
}

export class ClaimsView {

    /** @param onSelect called with a claim when its row is chosen */
    constructor(onSelect) {
        this.onSelect = onSelect;
        this.table = byId('claims');
        this.message = byId('claims-message');
        this.badge = byId('new-claims');
        this.rows = new Map();
        this.pending = new Set();
        this.generation = 0;
        this.offsetMs = 0;
        this.pageNumber = 1;
        this.nextCursor = null;
        byId('first-page').addEventListener('click', () => this.load(null, 1));
        byId('next-page').addEventListener('click', () => this.load(this.nextCursor, this.pageNumber + 1));
        this.badge.addEventListener('click', () => this.showNew());
        setInterval(() => this.tick(), TICK_MS);
    }

    /** Shows the first page of the tenant's claims that pass the filters. */
    show(tenant, filters) {
        this.tenant = tenant;
        this.filters = filters;
        this.pending.clear();
        this.updateBadge();
        return this.load(null, 1);
    }

    async load(cursor, pageNumber) {
        const generation = ++this.generation;
        const parameters = {
            status: this.filters.status, runner_id: this.filters.runner, entity_url: this.filters.entity,
            consumer_id: this.filters.consumer, limit: PAGE_SIZE, cursor,
        };
        try {
            const {json} = await call(`v1/tenants/${segment(this.tenant)}/claims${query(parameters)}`);
            if (generation !== this.generation) {
                return;
            }
            this.learnLedgerClock(json.claims);
            this.render(json.claims);
            this.pageNumber = pageNumber;
            this.nextCursor = json.next_cursor;
            byId('first-page').disabled = pageNumber === 1;
            byId('next-page').disabled = !json.next_cursor;
            byId('page-info').textContent = json.claims.length === 0 ? '' : `page ${pageNumber}, `
                + plural(json.claims.length, 'claim') + (json.next_cursor ? ', more follow' : '');
            say(this.message, json.claims.length === 0 ? 'No claim matches.' : '');
        } catch (error) {
            if (generation !== this.generation) {
                return;
            }
            this.render([]);
            byId('next-page').disabled = true;
            say(this.message, explain(error, `read the claims of tenant ${this.tenant}`), 'error');
        }
    }

    /** The ledger computes lease_remaining_ms at its own now: so its clock is lease_expires_at minus that. */
    learnLedgerClock(claims) {
        const received = Date.now();
        for (const claim of claims) {
            if (claim.status === 'active' && claim.lease_remaining_ms > 0) {
                this.offsetMs = millis(claim.lease_expires_at) - claim.lease_remaining_ms - received;
                return;
            }
        }
    }

    ledgerNow() {
        return Date.now() + this.offsetMs;
    }

    render(claims) {
        this.rows.clear();
        const body = this.table.tBodies[0];
        clear(body);
        for (const claim of claims) {
            const row = this.row(claim);
            this.rows.set(claimKey(claim.consumer_id, claim.epoch), row);
            body.append(row.tr);
        }
        this.tick();
    }

    row(claim) {
        const row = {
            claim,
            leaseEndMs: millis(claim.lease_expires_at),
            statusCell: el('td'),
            leaseCell: el('td', {class: 'num lease'}),
            beatsCell: el('td', {class: 'num'}),
            lastBeatCell: el('td'),
            readAgainFor: null,
            recheckedFor: null,
        };
        row.tr = el('tr', {
                dataset: {consumer: claim.consumer_id, epoch: String(claim.epoch)},
                tabindex: 0,
                onclick: () => this.onSelect(row.claim),
                onkeydown: event => {
                    if (event.key === 'Enter') {
                        this.onSelect(row.claim);
                    }
                },
            },
            el('td', {class: 'mono consumer', title: claim.consumer_id}, claim.consumer_id),
            el('td', {class: 'num'}, claim.epoch),
            el('td', {class: 'mono', title: claim.runner_id ?? ''}, claim.runner_id ?? '—'),
            el('td', {class: 'mono entity', title: claim.entity_url}, claim.entity_url),
            row.statusCell, row.leaseCell, row.beatsCell, row.lastBeatCell);
        this.paint(row);
        return row;
    }

    paint(row) {
        const claim = row.claim;
        row.statusCell.replaceChildren(el('span', {class: 'status status-' + claim.status}, claim.status));
        row.tr.classList.toggle('ended', ENDED.has(claim.status));
        if (claim.status === 'expired') {
            row.leaseCell.textContent = countdown(0);
            row.leaseCell.title = 'expired at ' + (claim.ended_at ?? '');
        } else if (claim.status !== 'active') {
            row.leaseCell.textContent = '—';
            row.leaseCell.title = claim.status + ' at ' + (claim.ended_at ?? '');
        }
        row.beatsCell.textContent = claim.heartbeat_count ?? 0;
        row.lastBeatCell.textContent = clock(claim.last_heartbeat_at);
        row.lastBeatCell.title = claim.last_heartbeat_at ?? '';
    }

    tick() {
        const now = this.ledgerNow();
        for (const row of this.rows.values()) {
            if (row.claim.status !== 'active') {
                continue;
            }
            const left = row.leaseEndMs - now;
            row.leaseCell.textContent = countdown(left);
            const lapsed = left <= 0;
            row.tr.classList.toggle('lapsed', lapsed);
            row.leaseCell.title = lapsed ? 'the lease has run out; its expiry is being recorded'
                : 'lease ends at ' + row.claim.lease_expires_at;
            if (left < READ_AGAIN_BEFORE_END_MS && row.readAgainFor !== row.leaseEndMs) {
                row.readAgainFor = row.leaseEndMs;
                this.readAgain(row);
            } else if (left < -READ_AGAIN_AFTER_END_MS && row.recheckedFor !== row.leaseEndMs) {
                row.recheckedFor = row.leaseEndMs;
                this.readAgain(row);
            }
        }
    }

    /** Reads one claim again: a renewing heartbeat may have moved its lease end. */
    async readAgain(row) {
        const claim = row.claim;
        try {
            const {json} = await call(`v1/tenants/${segment(this.tenant)}/claims/${segment(claim.consumer_id)}`
                + `/epochs/${claim.epoch}`);
            this.update(row, json);
        } catch (ignored) {
            // the row keeps what it shows; the change stream or the next read corrects it
        }
    }

    /** Takes a newer reading of a claim; the read model may lag the change stream, so nothing goes backwards. */
    update(row, claim) {
        if (row.claim.status !== 'active' && claim.status === 'active') {
            return;
        }
        const leaseEndMs = millis(claim.lease_expires_at);
        if (leaseEndMs >= row.leaseEndMs) {
            row.claim = claim;
            row.leaseEndMs = leaseEndMs;
        } else {
            row.claim = {...claim, lease_expires_at: row.claim.lease_expires_at};
        }
        this.paint(row);
        this.tick();
    }

    /** A change from the stream: an ended claim is updated in place, a new one counted. */
    applyChange(change) {
        const key = claimKey(change.consumer_id, change.epoch);
        const row = this.rows.get(key);
        if (row && ENDED.has(change.type)) {
            row.claim = {
                ...row.claim, status: change.type, ended_at: change.at, end_reason: change.type,
                lease_expires_at: change.lease_expires_at, lease_remaining_ms: 0,
            };
            row.leaseEndMs = millis(change.lease_expires_at);
            this.paint(row);
        } else if (!row && change.type === 'claimed' && this.wouldShow(change)) {
            this.pending.add(key);
            this.updateBadge();
        }
    }

    wouldShow(change) {
        const filters = this.filters;
        return (filters.status === '' || filters.status === 'active')
            && (!filters.runner || filters.runner === change.runner_id)
            && (!filters.entity || filters.entity === change.entity_url)
            && (!filters.consumer || filters.consumer === change.consumer_id);
    }

    updateBadge() {
        const count = this.pending.size;
        this.badge.hidden = count === 0;
        this.badge.textContent = count === 0 ? '' : `${plural(count, 'new claim')} since this page was read: show`;
    }

    /** Reads the first page again; a claim not yet in the read model is looked for a few more times. */
    async showNew(attempt = 1) {
        await this.load(null, 1);
        for (const key of [...this.pending]) {
            if (this.rows.has(key)) {
                this.pending.delete(key);
            }
        }
        if (this.pending.size > 0 && attempt < 4) {
            setTimeout(() => this.showNew(attempt + 1), 1000);
            return;
        }
        this.pending.clear();
        this.updateBadge();
    }
}
