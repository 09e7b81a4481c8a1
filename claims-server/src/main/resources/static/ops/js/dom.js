// Builds DOM nodes. Every value from the ledger goes in as text (textContent or a text node), never as markup.

/**
 * el('td', {class: 'num', title: claim.claimed_at}, 'text', childNode): attributes are set with setAttribute, which
 * never parses markup; children that are not nodes become text nodes.
 */
export function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    for (const child of children.flat()) {
        if (child !== null && child !== undefined) {
            node.append(child instanceof Node ? child : String(child));
        }
    }
    return node;
}

/** An SVG element, with attributes only. */
export function svg(tag, attributes = {}) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    setAttributes(node, attributes);
    return node;
}

function setAttributes(node, attributes) {
    for (const [name, value] of Object.entries(attributes)) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        if (name.startsWith('on')) {
            node.addEventListener(name.slice(2), value);
        } else if (name === 'dataset') {
            Object.assign(node.dataset, value);
        } else {
            node.setAttribute(name, value === true ? '' : String(value));
        }
    }
}

export function byId(id) {
    return document.getElementById(id);
}

/** Sets an element's text; hides it when the text is empty. */
export function say(element, text, kind = 'info') {
    element.textContent = text ?? '';
    element.dataset.kind = kind;
    element.hidden = !text;
}

export function clear(element) {
    element.replaceChildren();
}
