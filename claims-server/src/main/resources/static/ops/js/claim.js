// One claim: the consumer's epochs, the facts of one epoch, its timeline of events with the time between them and the
// worker's clock beside the ledger's, a chart of the lease over time, and whether the stream's hash chain is intact.

import {call, explain, query, segment} from './api.js';
import {byId, clear, el, say, svg} from './dom.js';
import {clock, duration, millis, plural, skew} from './format.js';

const HISTORY_PAGE = 1000;
const HISTORY_PAGES = 2;
const TIME_OF = {
    ClaimMaterialized: 'claimedAt',
    HeartbeatReceived: 'receivedAt',
    ClaimReleased: 'releasedAt',
    ClaimLeaseExpired: 'expiredAt',
    ClaimSuperseded: 'supersededAt',
};
const NAME_OF = {
    ClaimMaterialized: 'claimed',
    HeartbeatReceived: 'heartbeat',
    ClaimReleased: 'released',
    ClaimLeaseExpired: 'expired',
    ClaimSuperseded: 'superseded',
};

export class ClaimView {

    /** @param mayAudit tells whether the key has claims:audit, which history and verification need */
    constructor(mayAudit) {
        this.mayAudit = mayAudit;
        this.panel = byId('claim-panel');
        this.message = byId('claim-message');
        this.generation = 0;
        byId('close-claim').addEventListener('click', () => this.close());
    }

    get consumerId() {
        return this.panel.hidden ? null : this.claim?.consumer_id;
    }

    open(tenant, claim) {
        this.tenant = tenant;
        this.claim = claim;
        this.panel.hidden = false;
        byId('claim-title').textContent = `${claim.consumer_id} · epoch ${claim.epoch}`;
        this.load();
        this.panel.scrollIntoView({block: 'nearest'});
    }

    close() {
        this.generation++;
        this.panel.hidden = true;
        this.claim = null;
    }

    /** A change of the shown consumer's claims: read it all again. */
    applyChange(change) {
        if (this.consumerId === change.consumer_id) {
            clearTimeout(this.reloading);
            this.reloading = setTimeout(() => this.load(), 300);
        }
    }

    async load() {
        const generation = ++this.generation;
        const claim = this.claim;
        const base = `v1/tenants/${segment(this.tenant)}/claims/${segment(claim.consumer_id)}`;
        say(this.message, '');
        try {
            const {json} = await call(`v1/tenants/${segment(this.tenant)}/claims`
                + query({consumer_id: claim.consumer_id, limit: 500}));
            if (generation !== this.generation) {
                return;
            }
            const epoch = json.claims.find(candidate => candidate.epoch === claim.epoch) ?? claim;
            this.renderEpochs(json.claims);
            this.renderFacts(epoch);
        } catch (error) {
            if (generation === this.generation) {
                say(this.message, explain(error, 'read this consumer\'s claims'), 'error');
            }
            return;
        }
        if (!this.mayAudit()) {
            this.hideHistory();
            say(this.message, 'The timeline and the hash-chain check need a key with the scope claims:audit.');
            return;
        }
        await Promise.all([this.loadTimeline(generation, base), this.loadVerification(generation, base)]);
    }

    hideHistory() {
        byId('timeline').hidden = true;
        byId('lease-figure').hidden = true;
        byId('claim-chain').hidden = true;
        byId('claim-violations').hidden = true;
    }

    renderEpochs(claims) {
        const box = byId('claim-epochs');
        clear(box);
        box.append(el('span', {class: 'subtle'}, 'Epochs: '));
        for (const epoch of claims) {
            const current = epoch.epoch === this.claim.epoch;
            box.append(el('button', {
                type: 'button',
                class: 'epoch status-' + epoch.status + (current ? ' current' : ''),
                'aria-pressed': String(current),
                dataset: {epoch: String(epoch.epoch)},
                onclick: () => this.open(this.tenant, epoch),
            }, `${epoch.epoch} ${epoch.status}`));
        }
    }

    renderFacts(claim) {
        const facts = [
            ['status', claim.status + (claim.end_reason && claim.end_reason !== claim.status
                ? ` (${claim.end_reason})` : '')],
            ['runner', claim.runner_id ?? '—'],
            ['entity', claim.entity_url],
            ['stream path', claim.stream_path],
            ['wake id', claim.wake_id ?? '—'],
            ['lease', `${claim.lease_policy}, TTL ${duration(claim.lease_ttl_ms)}`],
            ['claimed at', claim.claimed_at],
            ['lease ends at', claim.lease_expires_at],
            ['heartbeats', `${claim.heartbeat_count}, last at ${claim.last_heartbeat_at ?? '—'}`],
            ['ended at', claim.ended_at ?? '—'],
        ];
        byId('claim-facts').replaceChildren(...facts.flatMap(([name, value]) =>
            [el('dt', {}, name), el('dd', {class: 'mono'}, value)]));
    }

    async loadTimeline(generation, base) {
        const events = [];
        let after = null;
        let complete = false;
        try {
            for (let page = 0; page < HISTORY_PAGES; page++) {
                const {json} = await call(`${base}/epochs/${this.claim.epoch}/history`
                    + query({limit: HISTORY_PAGE, after_sequence: after}));
                events.push(...json.events);
                after = json.next_after_sequence;
                if (after === null) {
                    complete = true;
                    break;
                }
            }
        } catch (error) {
            if (generation === this.generation) {
                this.hideHistory();
                say(this.message, explain(error, 'read this claim\'s history'), 'error');
            }
            return;
        }
        if (generation !== this.generation) {
            return;
        }
        this.renderTimeline(events);
        this.renderChart(events, complete);
        if (!complete) {
            say(this.message, `Showing the first ${events.length} events of this epoch.`);
        }
    }

    renderTimeline(events) {
        const body = byId('timeline').tBodies[0];
        clear(body);
        let previous = null;
        for (const event of events) {
            const payload = event.payload ?? {};
            const at = payload[TIME_OF[event.type]];
            const atMs = millis(at);
            const reported = payload.reportedAt ?? null;
            const skewMs = reported && atMs !== null ? millis(reported) - atMs : null;
            body.append(el('tr', {class: 'event-' + (NAME_OF[event.type] ?? 'other')},
                el('td', {class: 'num'}, event.sequence),
                el('td', {title: event.type}, NAME_OF[event.type] ?? event.type),
                el('td', {title: at ?? ''}, clock(at)),
                el('td', {class: 'num'}, previous === null || atMs === null ? '' : '+' + duration(atMs - previous)),
                el('td', {title: payload.leaseExpiresAt ?? ''}, clock(payload.leaseExpiresAt)),
                el('td', {title: reported ?? ''}, reported ? clock(reported) : '—'),
                el('td', {class: 'num'}, skew(skewMs))));
            if (atMs !== null) {
                previous = atMs;
            }
        }
        byId('timeline').hidden = false;
    }

    /** Lease remaining over time: a sawtooth that each renewing heartbeat lifts and an end drops to zero. */
    renderChart(events, complete) {
        const chart = byId('lease-chart');
        clear(chart);
        const points = [];
        let leaseEnd = null;
        let ended = false;
        for (const event of events) {
            const t = millis(event.payload?.[TIME_OF[event.type]]);
            const end = millis(event.payload?.leaseExpiresAt);
            if (t === null || end === null) {
                continue;
            }
            if (leaseEnd !== null) {
                points.push([t, Math.max(0, leaseEnd - t)]);
            }
            ended = event.type !== 'ClaimMaterialized' && event.type !== 'HeartbeatReceived';
            points.push([t, ended ? 0 : Math.max(0, end - t), event]);
            leaseEnd = end;
        }
        if (points.length === 0) {
            byId('lease-figure').hidden = true;
            return;
        }
        if (!ended && complete) {
            const last = points[points.length - 1][0];
            const until = Math.max(last, Math.min(Date.now(), leaseEnd));
            points.push([until, Math.max(0, leaseEnd - until)]);
        }
        const [x0, x1] = [points[0][0], Math.max(points[points.length - 1][0], points[0][0] + 1)];
        const top = Math.max(1, ...points.map(point => point[1]));
        const x = t => 48 + (t - x0) / (x1 - x0) * 540;
        const y = left => 140 - left / top * 125;
        chart.append(
            svg('line', {class: 'axis', x1: 48, y1: 140, x2: 588, y2: 140}),
            svg('line', {class: 'axis', x1: 48, y1: 15, x2: 48, y2: 140}),
            label(44, 19, duration(top), 'end'),
            label(44, 143, '0', 'end'),
            label(48, 156, clock(new Date(x0).toISOString()), 'start'),
            label(588, 156, clock(new Date(x1).toISOString()), 'end'),
            svg('polyline', {class: 'lease', points: points.map(([t, left]) => `${x(t)},${y(left)}`).join(' ')}));
        for (const [t, left, event] of points) {
            if (event) {
                const dot = svg('circle', {class: 'dot dot-' + NAME_OF[event.type], cx: x(t), cy: y(left), r: 3});
                const title = svg('title');
                title.textContent = `${NAME_OF[event.type]} at ${event.payload[TIME_OF[event.type]]}`;
                dot.append(title);
                chart.append(dot);
            }
        }
        byId('lease-figure').hidden = false;
    }

    async loadVerification(generation, base) {
        const chain = byId('claim-chain');
        const list = byId('claim-violations');
        try {
            const {json} = await call(`${base}/history/verification`);
            if (generation !== this.generation) {
                return;
            }
            chain.dataset.intact = String(json.chain_intact);
            chain.textContent = json.chain_intact
                ? `Hash chain intact over ${plural(json.events, 'event')} of this consumer.`
                : `Hash chain BROKEN: the stored history of this consumer was altered.`;
            clear(list);
            for (const violation of json.violations) {
                list.append(el('li', {}, el('strong', {}, violation.rule), ` epoch ${violation.epoch ?? '—'}, `
                    + `position ${violation.position ?? '—'}: ${violation.detail}`));
            }
            list.hidden = json.violations.length === 0;
        } catch (error) {
            if (generation !== this.generation) {
                return;
            }
            chain.dataset.intact = 'unknown';
            chain.textContent = explain(error, 'check this consumer\'s hash chain');
        }
        chain.hidden = false;
    }
}

function label(x, y, text, anchor) {
    const node = svg('text', {class: 'label', x, y, 'text-anchor': anchor});
    node.textContent = text;
    return node;
}
