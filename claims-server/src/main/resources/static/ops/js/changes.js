// The tenant's claim changes as server-sent events, read with fetch() rather than EventSource, because EventSource
// cannot send the Authorization header and the key must not go in a URL. The stream is parsed here as the HTML
// standard's event-stream format says, and on reconnect the last event id goes back as Last-Event-ID, so the stream
// resumes at the ledger position where it stopped.

import {apiUrl, headers, problem, segment} from './api.js';

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 15_000;

export class ChangeStream {

    /**
     * @param tenant the tenant whose changes to follow
     * @param handlers onEvent(type, data, id), onState(state, detail), onRefused(apiError)
     */
    constructor(tenant, handlers) {
        this.tenant = tenant;
        this.handlers = handlers;
        this.lastEventId = null;
        this.stopped = false;
        this.abort = null;
    }

    start() {
        this.run();
        return this;
    }

    stop() {
        this.stopped = true;
        this.abort?.abort();
        this.handlers.onState('stopped');
    }

    async run() {
        let retryMs = FIRST_RETRY_MS;
        while (!this.stopped) {
            this.abort = new AbortController();
            let detail = 'the stream ended';
            try {
                this.handlers.onState('connecting');
                const extra = {Accept: 'text/event-stream, application/problem+json'};
                if (this.lastEventId !== null) {
                    extra['Last-Event-ID'] = this.lastEventId;
                }
                const response = await fetch(apiUrl(`v1/tenants/${segment(this.tenant)}/claims/changes`), {
                    headers: headers(extra),
                    signal: this.abort.signal,
                    cache: 'no-store',
                    credentials: 'omit',
                });
                if (!response.ok) {
                    const error = problem(response.status, await response.json().catch(() => null));
                    if (response.status === 401 || response.status === 403 || response.status === 400) {
                        this.stopped = true;
                        this.handlers.onState('stopped', error.detail);
                        this.handlers.onRefused(error);
                        return;
                    }
                    throw error;
                }
                retryMs = FIRST_RETRY_MS;
                await this.read(response.body);
            } catch (failure) {
                detail = failure.message;
            }
            if (this.stopped) {
                return;
            }
            this.handlers.onState('reconnecting', detail);
            await new Promise(resolve => setTimeout(resolve, retryMs));
            retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
        }
    }

    /** Reads the stream until it ends, dispatching each complete event. */
    async read(body) {
        const reader = body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = newEvent();
        for (;;) {
            const {value, done} = await reader.read();
            if (done) {
                return;
            }
            buffer += value;
            let end;
            while ((end = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, end).replace(/\r$/, '');
                buffer = buffer.slice(end + 1);
                if (line === '') {
                    this.dispatch(event);
                    event = newEvent();
                } else if (!line.startsWith(':')) {
                    field(event, line);
                }
            }
        }
    }

    dispatch(event) {
        if (event.id !== null) {
            this.lastEventId = event.id;
        }
        if (event.data.length === 0) {
            return;
        }
        if (event.type === 'ready') {
            this.handlers.onState('live');
        }
        let data;
        try {
            data = JSON.parse(event.data.join('\n'));
        } catch (ignored) {
            return;
        }
        this.handlers.onEvent(event.type, data, event.id);
    }
}

function newEvent() {
    return {type: 'message', data: [], id: null};
}

/** One 'name: value' line of an event. */
function field(event, line) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
        value = value.slice(1);
    }
    if (name === 'event') {
        event.type = value;
    } else if (name === 'data') {
        event.data.push(value);
    } else if (name === 'id' && !value.includes('\0')) {
        event.id = value;
    }
}
