// Calls to the ledger's HTTP API. Every address is relative to the page (served at <prefix>/ops/), so the page works
// under whatever path prefix a proxy puts in front of the service. The key is kept in this tab's session storage only
// and sent as a header, never in a URL.

const KEY_STORAGE = 'claims-ledger.ops.key';

/** The API's root: the parent of the page's own folder. */
export const apiRoot = new URL('../', document.baseURI);

export function apiUrl(path) {
    return new URL(path.replace(/^\/+/, ''), apiRoot);
}

/** A Location header of the API (an absolute path such as /v1/...) as an address under the same prefix. */
export function resolveLocation(location) {
    return location.startsWith('/') ? apiUrl(location) : new URL(location, apiRoot);
}

/** One id as a path segment. */
export function segment(id) {
    return encodeURIComponent(id);
}

export function query(parameters) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(parameters)) {
        if (value !== null && value !== undefined && value !== '') {
            search.set(name, value);
        }
    }
    const text = search.toString();
    return text ? '?' + text : '';
}

export const apiKey = {
    get() {
        return sessionStorage.getItem(KEY_STORAGE);
    },
    set(key) {
        sessionStorage.setItem(KEY_STORAGE, key);
    },
    clear() {
        sessionStorage.removeItem(KEY_STORAGE);
    },
};

/** A failed call: the HTTP status (0 when the ledger could not be reached) and the problem's stable code. */
export class ApiError extends Error {
    constructor(status, code, detail) {
        super(detail || code);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    get unauthenticated() {
        return this.status === 401;
    }

    get forbidden() {
        return this.status === 403;
    }
}

/** Told of every 401, so that the page can ask for a key again wherever the call was made. */
export const authFailures = new EventTarget();

export function headers(extra = {}) {
    const all = {Accept: 'application/json, application/problem+json', ...extra};
    const key = apiKey.get();
    if (key) {
        all.Authorization = 'Bearer ' + key;
    }
    return all;
}

/** Calls the API; resolves to {json, response}, rejects with an ApiError. */
export async function call(path, {method = 'GET', body, signal} = {}) {
    const url = path instanceof URL ? path : apiUrl(path);
    const extra = body === undefined ? {} : {'Content-Type': 'application/json'};
    let response;
    try {
        response = await fetch(url, {
            method,
            headers: headers(extra),
            body: body === undefined ? undefined : JSON.stringify(body),
            signal,
            cache: 'no-store',
            credentials: 'omit',
        });
    } catch (failure) {
        if (failure.name === 'AbortError') {
            throw failure;
        }
        throw new ApiError(0, 'unreachable', 'the ledger cannot be reached');
    }
    return {json: await readJson(response), response};
}

async function readJson(response) {
    const text = await response.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch (ignored) {
        json = null;
    }
    if (!response.ok) {
        throw problem(response.status, json);
    }
    return json;
}

export function problem(status, json) {
    const error = new ApiError(status, json?.code ?? 'http_' + status, json?.detail ?? 'HTTP ' + status);
    if (status === 401) {
        authFailures.dispatchEvent(new CustomEvent('unauthenticated', {detail: error}));
    }
    return error;
}

/** What a failed call means to an operator. */
export function explain(error, what) {
    if (error.status === 401) {
        return `The ledger does not accept this key (401 unauthenticated): ${error.detail}`;
    }
    if (error.status === 403) {
        return `This key may not ${what} (403 forbidden): ${error.detail}`;
    }
    if (error.status === 0) {
        return `The ledger cannot be reached to ${what}.`;
    }
    return `Could not ${what} (${error.status} ${error.code}): ${error.detail}`;
}
