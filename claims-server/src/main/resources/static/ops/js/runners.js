// The runners holding the tenant's active claims, a page at a time, with the skew of their workers' clocks.

import {call, explain, query, segment} from './api.js';
import {byId, clear, el, say} from './dom.js';
import {clock, skew} from './format.js';

const PAGE_SIZE = 50;
const REFRESH_MS = 15_000;
const SOONEST_AFTER_CHANGE_MS = 2_000;

export class RunnersView {

    /** @param onSelect called with a runner id when its row is chosen */
    constructor(onSelect) {
        this.onSelect = onSelect;
        this.message = byId('runners-message');
        this.cursor = null;
        this.generation = 0;
        byId('runners-first').addEventListener('click', () => this.load(null));
        byId('runners-next').addEventListener('click', () => this.load(this.nextCursor));
        setInterval(() => this.tenant && this.load(this.cursor), REFRESH_MS);
    }

    show(tenant) {
        this.tenant = tenant;
        return this.load(null);
    }

    /** A claim was made or ended: the counts change; read them again, at most every few seconds. */
    changed() {
        if (!this.refreshing) {
            this.refreshing = setTimeout(() => {
                this.refreshing = null;
                this.load(this.cursor);
            }, SOONEST_AFTER_CHANGE_MS);
        }
    }

    async load(cursor) {
        const generation = ++this.generation;
        try {
            const {json} = await call(`v1/tenants/${segment(this.tenant)}/runners`
                + query({limit: PAGE_SIZE, cursor}));
            if (generation !== this.generation) {
                return;
            }
            this.cursor = cursor;
            this.nextCursor = json.next_cursor;
            this.render(json.runners);
            byId('runners-first').disabled = cursor === null;
            byId('runners-next').disabled = !json.next_cursor;
            say(this.message, json.runners.length === 0 ? 'No runner holds an active claim.' : '');
        } catch (error) {
            if (generation === this.generation) {
                this.render([]);
                say(this.message, explain(error, 'read the runners'), 'error');
            }
        }
    }

    render(runners) {
        const body = byId('runners').tBodies[0];
        clear(body);
        for (const runner of runners) {
            const skewText = runner.clock_skew ? skew(runner.clock_skew.mean_ms) : '—';
            const range = runner.clock_skew
                ? `${skew(runner.clock_skew.min_ms)} … ${skew(runner.clock_skew.max_ms)}` : '—';
            body.append(el('tr', {
                    dataset: {runner: runner.runner_id},
                    tabindex: 0,
                    title: 'show this runner\'s claims',
                    onclick: () => this.onSelect(runner.runner_id),
                },
                el('td', {class: 'mono'}, runner.runner_id),
                el('td', {class: 'num'}, runner.active_count),
                el('td', {title: runner.last_heartbeat_at ?? ''}, clock(runner.last_heartbeat_at)),
                el('td', {class: 'num', title: runner.clock_skew
                        ? `${runner.clock_skew.samples} claims reported a time` : 'no reported times'}, skewText),
                el('td', {class: 'num'}, range)));
        }
    }
}
