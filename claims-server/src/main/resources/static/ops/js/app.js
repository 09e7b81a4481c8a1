// The operator's page: asks for an API key, asks the ledger what the key may do, then shows the tenant's claims live,
// one claim's history, the runners and the ledger's health, offering only the actions the key is allowed.

import {apiKey, authFailures, call, explain, query} from './api.js';
import {ChangeStream} from './changes.js';
import {ClaimView} from './claim.js';
import {ClaimsView} from './claims.js';
import {byId, el, say} from './dom.js';
import {HealthView} from './health.js';
import {RunnersView} from './runners.js';

const TENANT_STORAGE = 'claims-ledger.ops.tenant';
const LIVE_TEXT = {live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…', stopped: 'not connected'};

let who = null;
let tenant = null;
let stream = null;

const claim = new ClaimView(() => may('claims:audit'));
const claims = new ClaimsView(selected => claim.open(tenant, selected));
const runners = new RunnersView(runner => {
    byId('runner-filter').value = runner;
    showClaims();
});
const health = new HealthView();

/** Whether the key has the scope; the admin endpoints also want a key of every tenant. */
function may(scope, everyTenant = false) {
    return who !== null && who.scopes.includes(scope) && (!everyTenant || who.tenants.includes('*'));
}

async function signIn() {
    try {
        who = (await call('v1/whoami')).json;
    } catch (error) {
        who = null;
        const hadKey = apiKey.get() !== null;
        apiKey.clear();
        if (error.status === 401) {
            askForKey(hadKey ? 'The ledger does not know this key (401 unauthenticated). Enter another key.'
                : 'This ledger needs an API key.', hadKey ? 'error' : 'info');
        } else {
            askForKey(explain(error, 'check the key'));
        }
        return;
    }
    byId('key-panel').hidden = true;
    byId('main').hidden = false;
    byId('who').hidden = false;
    byId('who-name').textContent = who.open ? 'open mode (no API keys configured)' : `key "${who.name}"`;
    byId('who-scopes').textContent = `${who.scopes.join(', ')} · tenants ${who.tenants.join(', ')}`;
    byId('forget-key').hidden = who.open;
    if (!may('claims:read')) {
        say(byId('main-message'), 'This key lacks the scope claims:read, which this page needs to show claims.',
            'error');
        return;
    }
    say(byId('main-message'), '');
    health.show({mayAudit: may('claims:audit', true), mayRebuild: may('claims:admin', true)});
    await chooseTenant();
}

async function chooseTenant() {
    let tenants = [];
    try {
        tenants = (await call('v1/tenants' + query({limit: 500}))).json.tenants;
    } catch (error) {
        say(byId('main-message'), explain(error, 'list the tenants'), 'error');
    }
    byId('tenant-list').replaceChildren(...tenants.map(id => el('option', {value: id})));
    const remembered = sessionStorage.getItem(TENANT_STORAGE);
    const first = remembered && (tenants.includes(remembered) || who.tenants.includes('*')) ? remembered : tenants[0];
    if (!first) {
        say(byId('main-message'), 'No tenant has claims yet. Type a tenant id above.');
        return;
    }
    byId('tenant').value = first;
    showTenant(first);
}

function showTenant(id) {
    tenant = id;
    sessionStorage.setItem(TENANT_STORAGE, id);
    stream?.stop();
    claim.close();
    claims.show(tenant, filters());
    runners.show(tenant);
    stream = new ChangeStream(tenant, {
        onEvent(type, change) {
            if (type === 'ready') {
                return;
            }
            claims.applyChange(change);
            claim.applyChange(change);
            runners.changed();
        },
        onState(state, detail) {
            const live = byId('live');
            live.dataset.state = state;
            live.textContent = LIVE_TEXT[state] ?? state;
            live.title = detail ?? '';
        },
        onRefused(error) {
            const live = byId('live');
            live.textContent = `not connected (${error.status} ${error.code})`;
            live.title = explain(error, `follow the changes of tenant ${tenant}`);
        },
    }).start();
}

function filters() {
    return {
        status: byId('status-filter').value,
        runner: byId('runner-filter').value.trim(),
        entity: byId('entity-filter').value.trim(),
        consumer: byId('consumer-filter').value.trim(),
    };
}

function showClaims() {
    const chosen = byId('tenant').value.trim();
    if (!chosen) {
        return;
    }
    if (chosen !== tenant) {
        showTenant(chosen);
    } else {
        claims.show(tenant, filters());
    }
}

function askForKey(message, kind = 'error') {
    stream?.stop();
    stream = null;
    health.stop();
    byId('main').hidden = true;
    byId('who').hidden = true;
    byId('key-panel').hidden = false;
    say(byId('key-message'), message, kind);
    byId('key-input').focus();
}

authFailures.addEventListener('unauthenticated', () => {
    if (who !== null) {
        who = null;
        apiKey.clear();
        askForKey('The ledger no longer accepts this key (401 unauthenticated). Enter a key again.');
    }
});

byId('key-form').addEventListener('submit', event => {
    event.preventDefault();
    const input = byId('key-input');
    const key = input.value.trim();
    input.value = '';
    if (!key) {
        say(byId('key-message'), 'Enter a key.', 'error');
        return;
    }
    apiKey.set(key);
    signIn();
});

byId('forget-key').addEventListener('click', () => {
    who = null;
    apiKey.clear();
    askForKey('The key is forgotten. Enter a key to go on.', 'info');
});

byId('filters').addEventListener('submit', event => {
    event.preventDefault();
    showClaims();
});
byId('tenant').addEventListener('change', showClaims);
byId('status-filter').addEventListener('change', showClaims);

signIn();
