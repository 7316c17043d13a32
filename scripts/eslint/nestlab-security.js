// Nestlab's security lint rules: the Electron and web patterns that turn a bug in the page into
// code running on the user's computer. Part of `npm run lint` through eslint.config.js; each
// rule is tested on a bad sample in nestlab-security.test.ts.
import noUnsanitized from 'eslint-plugin-no-unsanitized';

/** webPreferences that must keep their safe literal value (a variable could hide an unsafe one). */
const requiredWebPreferences = {
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  contextIsolation: true,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
};

/** Chromium switches that turn a protection off for the whole app. */
const unsafeSwitches = new Set([
  'no-sandbox',
  'disable-web-security',
  'ignore-certificate-errors',
  'allow-running-insecure-content',
  'disable-site-isolation-trials',
  'remote-debugging-port',
  'inspect',
]);

function keyName(property) {
  if (property.computed) return undefined;
  if (property.key.type === 'Identifier') return property.key.name;
  if (property.key.type === 'Literal' && typeof property.key.value === 'string') return property.key.value;
  return undefined;
}

function calleeName(call) {
  const callee = call.callee;
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

function literalString(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
}

const webPreferences = {
  meta: {
    type: 'problem',
    docs: { description: 'Electron window options keep isolation, the sandbox and web security on, and Node off.' },
    schema: [],
    messages: {
      unsafe: '{{name}} must be the literal {{safe}} (Electron security baseline: a page with Node or without isolation can run programs).',
      blinkFeatures: 'enableBlinkFeatures turns on experimental web platform features in the window: leave it out.',
    },
  },
  create(context) {
    return {
      Property(node) {
        const name = keyName(node);
        if (name === 'enableBlinkFeatures') {
          context.report({ node, messageId: 'blinkFeatures' });
          return;
        }
        if (name === undefined || !Object.hasOwn(requiredWebPreferences, name)) return;
        const safe = requiredWebPreferences[name];
        if (node.value.type !== 'Literal' || node.value.value !== safe) {
          context.report({ node, messageId: 'unsafe', data: { name, safe: String(safe) } });
        }
      },
    };
  },
};

/** True when `node` runs only after `if (isSafeExternalUrl(<same argument>))` (or `&&`) passed. */
function guardedBySafeUrlCheck(context, node, argumentText) {
  const isCheck = (test) =>
    test?.type === 'CallExpression' &&
    calleeName(test) === 'isSafeExternalUrl' &&
    test.arguments.length > 0 &&
    context.sourceCode.getText(test.arguments[0]) === argumentText;
  const testHasCheck = (test) =>
    isCheck(test) ||
    (test?.type === 'LogicalExpression' && test.operator === '&&' && (testHasCheck(test.left) || testHasCheck(test.right)));
  let child = node;
  for (const ancestor of context.sourceCode.getAncestors(node).reverse()) {
    if (ancestor.type === 'IfStatement' && ancestor.consequent === child && testHasCheck(ancestor.test)) return true;
    if (ancestor.type === 'ConditionalExpression' && ancestor.consequent === child && testHasCheck(ancestor.test)) return true;
    if (ancestor.type === 'LogicalExpression' && ancestor.operator === '&&' && ancestor.right === child && testHasCheck(ancestor.left))
      return true;
    if (ancestor.type.includes('Function')) return false;
    child = ancestor;
  }
  return false;
}

const openExternalChecked = {
  meta: {
    type: 'problem',
    docs: { description: 'shell.openExternal only for a URL that isSafeExternalUrl() accepted just before.' },
    schema: [],
    messages: {
      unchecked:
        'openExternal can launch any program registered for a scheme (file:, smb:, ms-settings:): call it only inside `if (isSafeExternalUrl(url))` with the same argument.',
    },
  },
  create(context) {
    return {
      CallExpression(node) {
        if (calleeName(node) !== 'openExternal') return;
        const argument = node.arguments[0];
        if (argument && guardedBySafeUrlCheck(context, node, context.sourceCode.getText(argument))) return;
        context.report({ node, messageId: 'unchecked' });
      },
    };
  },
};

const noPermissionGrant = {
  meta: {
    type: 'problem',
    docs: { description: 'Permission and device handlers never grant: no Nestlab page needs a browser permission.' },
    schema: [],
    messages: { grant: '{{handler}} must deny every request (callback(false) / return false): no page of Nestlab needs a permission.' },
  },
  create(context) {
    const handlers = /^set(PermissionRequest|PermissionCheck|DevicePermission|DisplayMediaRequest)Handler$/;
    return {
      'CallExpression Literal[value=true]'(node) {
        const handlerCall = context.sourceCode
          .getAncestors(node)
          .reverse()
          .find((ancestor) => ancestor.type === 'CallExpression' && handlers.test(calleeName(ancestor) ?? ''));
        if (handlerCall) context.report({ node, messageId: 'grant', data: { handler: calleeName(handlerCall) } });
      },
    };
  },
};

const noInsecureTransport = {
  meta: {
    type: 'problem',
    docs: { description: 'No switch, handler or option that turns off certificate checks, the sandbox or web security.' },
    schema: [],
    messages: {
      rejectUnauthorized:
        'rejectUnauthorized: false turns off certificate checks for every request: derive it from an explicit per-cluster setting (insecure-skip-tls-verify) instead.',
      tlsVariable: 'NODE_TLS_REJECT_UNAUTHORIZED turns off certificate checks for the whole process.',
      certificateError: "A 'certificate-error' handler can accept invalid certificates: leave Electron's default (refuse).",
      verifyProc: 'setCertificateVerifyProc replaces Chromium certificate checks: leave them on.',
      appendSwitch: "The Chromium switch '{{name}}' turns a protection off for the whole app.",
    },
  },
  create(context) {
    return {
      Property(node) {
        if (keyName(node) === 'rejectUnauthorized' && node.value.type === 'Literal' && node.value.value === false) {
          context.report({ node, messageId: 'rejectUnauthorized' });
        }
      },
      MemberExpression(node) {
        const name = node.computed ? literalString(node.property) : node.property.name;
        if (name === 'NODE_TLS_REJECT_UNAUTHORIZED') context.report({ node, messageId: 'tlsVariable' });
      },
      CallExpression(node) {
        const name = calleeName(node);
        if ((name === 'on' || name === 'once' || name === 'addListener') && literalString(node.arguments[0]) === 'certificate-error') {
          context.report({ node, messageId: 'certificateError' });
        }
        if (name === 'setCertificateVerifyProc') context.report({ node, messageId: 'verifyProc' });
        const switchName = literalString(node.arguments[0]);
        if ((name === 'appendSwitch' || name === 'appendArgument') && switchName !== undefined) {
          const bare = switchName.replace(/^--/, '').split('=')[0];
          if (unsafeSwitches.has(bare)) context.report({ node, messageId: 'appendSwitch', data: { name: bare } });
        }
      },
    };
  },
};

const noDangerousHtml = {
  meta: {
    type: 'problem',
    docs: { description: 'Text from clusters and hosts is rendered as text: no raw HTML, no executeJavaScript.' },
    schema: [],
    messages: {
      dangerouslySetInnerHTML: 'dangerouslySetInnerHTML renders markup: names, labels and messages come from clusters and must stay text.',
      executeJavaScript: 'executeJavaScript runs code in the page: use the IPC contract.',
    },
  },
  create(context) {
    return {
      JSXAttribute(node) {
        if (node.name.type === 'JSXIdentifier' && node.name.name === 'dangerouslySetInnerHTML') {
          context.report({ node, messageId: 'dangerouslySetInnerHTML' });
        }
      },
      CallExpression(node) {
        const name = calleeName(node);
        if (name === 'executeJavaScript' || name === 'executeJavaScriptInIsolatedWorld')
          context.report({ node, messageId: 'executeJavaScript' });
      },
    };
  },
};

export const nestlabSecurity = {
  meta: { name: 'nestlab-security' },
  rules: {
    'web-preferences': webPreferences,
    'open-external-checked': openExternalChecked,
    'no-permission-grant': noPermissionGrant,
    'no-insecure-transport': noInsecureTransport,
    'no-dangerous-html': noDangerousHtml,
  },
};

const sourceFiles = ['src/**/*.{ts,tsx}'];
// Tests hold bad samples on purpose (a javascript: URL that must be refused, a test server's
// self-signed certificate).
const testFiles = ['**/*.test.ts', '**/*.test.tsx'];

/** The security part of eslint.config.js (flat config blocks). */
export const securityConfigs = [
  {
    files: sourceFiles,
    ignores: testFiles,
    plugins: { 'nestlab-security': nestlabSecurity },
    rules: {
      'nestlab-security/open-external-checked': 'error',
      'nestlab-security/no-permission-grant': 'error',
      'nestlab-security/no-insecure-transport': 'error',
      'nestlab-security/no-dangerous-html': 'error',
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
    },
  },
  {
    files: ['src/main/electron/**/*.ts'],
    ignores: testFiles,
    rules: { 'nestlab-security/web-preferences': 'error' },
  },
  {
    // innerHTML, outerHTML, insertAdjacentHTML, document.write and the like with anything but a literal.
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'no-unsanitized': noUnsanitized },
    rules: { 'no-unsanitized/property': 'error', 'no-unsanitized/method': 'error' },
  },
];
