// Ledger health: how far the read model is behind, and for keys allowed to, an audit and a rebuild with its progress.

import {call, explain, resolveLocation} from './api.js';
import {byId, clear, el, say} from './dom.js';
import {duration, plural} from './format.js';

const LAG_EVERY_MS = 5_000;
const PROGRESS_EVERY_MS = 500;

export class HealthView {

    constructor() {
        this.message = byId('health-message');
        byId('run-audit').addEventListener('click', () => this.audit());
        byId('run-rebuild').addEventListener('click', () => this.rebuild());
        setInterval(() => this.active && this.lag(), LAG_EVERY_MS);
    }

    /** Shows the actions this key may take, and only those. */
    show({mayAudit, mayRebuild}) {
        this.active = true;
        byId('run-audit').hidden = !mayAudit;
        byId('run-rebuild').hidden = !mayRebuild;
        return this.lag();
    }

    stop() {
        this.active = false;
    }

    async lag() {
        try {
            const {json} = await call('v1/projections/consumer-claims');
            byId('lag').textContent = json.lag_events === null ? 'unknown (not processed on this node)'
                : plural(json.lag_events, 'event');
        } catch (error) {
            byId('lag').textContent = 'unknown';
            say(this.message, explain(error, 'read the projection\'s lag'), 'error');
        }
    }

    async audit() {
        const button = byId('run-audit');
        button.disabled = true;
        say(this.message, 'Auditing every event…');
        try {
            const {json} = await call('v1/admin/audit');
            say(this.message, '');
            this.renderAudit(json);
        } catch (error) {
            say(this.message, explain(error, 'run the audit'), 'error');
        } finally {
            button.disabled = false;
        }
    }

    renderAudit(report) {
        byId('audit').hidden = false;
        const summary = byId('audit-summary');
        summary.dataset.clean = String(report.clean);
        summary.textContent = (report.clean ? 'Audit clean: ' : `Audit found ${plural(report.violation_count,
            'violation')}: `) + `${plural(report.claims, 'claim')}, ${plural(report.events, 'event')}`
            + (report.rows_lagging > 0 ? `, ${report.rows_lagging} read-model rows still catching up` : '') + '.';
        const table = byId('audit-violations');
        const body = table.tBodies[0];
        clear(body);
        for (const violation of report.violations) {
            body.append(el('tr', {},
                el('td', {class: 'mono'}, violation.rule),
                el('td', {class: 'mono'}, violation.tenant_id),
                el('td', {class: 'mono'}, violation.consumer_id),
                el('td', {class: 'num'}, violation.epoch ?? '—'),
                el('td', {class: 'num'}, violation.position ?? '—'),
                el('td', {}, violation.detail)));
        }
        table.hidden = report.violations.length === 0;
    }

    async rebuild() {
        const button = byId('run-rebuild');
        button.disabled = true;
        say(this.message, '');
        try {
            const {json, response} = await call('v1/admin/projections/consumer-claims/rebuild', {method: 'POST'});
            this.renderRebuild(json);
            await this.follow(resolveLocation(response.headers.get('Location')), json);
        } catch (error) {
            say(this.message, explain(error, 'rebuild the read model'), 'error');
        } finally {
            button.disabled = false;
        }
    }

    async follow(location, rebuild) {
        let state = rebuild;
        while (state.state === 'running') {
            await new Promise(resolve => setTimeout(resolve, PROGRESS_EVERY_MS));
            state = (await call(location)).json;
            this.renderRebuild(state);
        }
        if (state.state === 'failed') {
            say(this.message, `The rebuild failed: ${state.failure ?? 'no reason given'}`, 'error');
        }
    }

    renderRebuild(rebuild) {
        byId('rebuild').hidden = false;
        const progress = byId('rebuild-progress');
        progress.max = Math.max(1, rebuild.total);
        progress.value = rebuild.processed;
        const status = byId('rebuild-state');
        status.dataset.state = rebuild.state;
        status.textContent = `Rebuild ${rebuild.state}: ${rebuild.processed} of ${rebuild.total} positions`
            + (rebuild.state === 'running'
                ? `, ${rebuild.events_per_second} events/s` + (rebuild.eta_ms === null ? ''
                : `, about ${duration(rebuild.eta_ms)} left`)
                : '');
    }
}
