// How times, durations and ids are shown. Times are the ledger's, shown in UTC.

/** '12:34:56.789' of an ISO-8601 instant; the full instant goes in a title. */
export function clock(iso) {
    if (!iso) {
        return '—';
    }
    const match = /T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(iso);
    return match ? match[1] + (match[2] ?? '.000').padEnd(4, '0') : iso;
}

/** Milliseconds since the epoch of an ISO-8601 instant with up to nanoseconds; null for none. */
export function millis(iso) {
    if (!iso) {
        return null;
    }
    const value = Date.parse(iso);
    return Number.isNaN(value) ? null : value;
}

/** '1.2 s', '3 min 4 s', '2 h 5 min' */
export function duration(ms) {
    if (ms === null || ms === undefined) {
        return '—';
    }
    const sign = ms < 0 ? '−' : '';
    const abs = Math.abs(ms);
    if (abs < 60_000) {
        return sign + (abs / 1000).toFixed(abs < 10_000 ? 3 : 1) + ' s';
    }
    if (abs < 3_600_000) {
        return sign + Math.floor(abs / 60_000) + ' min ' + Math.floor((abs % 60_000) / 1000) + ' s';
    }
    return sign + Math.floor(abs / 3_600_000) + ' h ' + Math.floor((abs % 3_600_000) / 60_000) + ' min';
}

/** A signed skew: '+120 ms', '−1.500 s'. */
export function skew(ms) {
    if (ms === null || ms === undefined) {
        return '—';
    }
    const sign = ms > 0 ? '+' : ms < 0 ? '−' : '±';
    const abs = Math.abs(ms);
    return sign + (abs < 1000 ? abs + ' ms' : (abs / 1000).toFixed(3) + ' s');
}

/** The countdown of a lease: '12.3 s', or minutes past a minute. */
export function countdown(ms) {
    const left = Math.max(0, ms);
    if (left < 60_000) {
        return (left / 1000).toFixed(1) + ' s';
    }
    return duration(left);
}

export function plural(count, one, many = one + 's') {
    return count + ' ' + (count === 1 ? one : many);
}
