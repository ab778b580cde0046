// What npm's netrc-parser hands out for each host of each file, as its users read it
// (`netrc.machines[host].login` after `loadSync()`): `node ask.js MODULE DIR COUNT MS`.
// The protocol is in answer_lines.rs, plus `hang` for a file the package is still reading
// after MS milliseconds (its machine regex backtracks exponentially on some lines).
'use strict';
const fs = require('fs');
const vm = require('vm');
const path = require('path');
const { Netrc } = require(process.argv[2]);

const dir = process.argv[3];
const count = Number(process.argv[4]);
const timeout = Number(process.argv[5]);
const load = new vm.Script('netrc.loadSync()');
const hosts = fs
  .readFileSync(path.join(dir, 'hosts'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => Buffer.from(line, 'hex').toString('utf8'));

const show = (value) =>
  typeof value === 'string' ? 'x' + Buffer.from(value, 'utf8').toString('hex') : '~';

const out = [];
for (let i = 0; i < count; i++) {
  const netrc = new Netrc(path.join(dir, `${i}.netrc`));
  try {
    globalThis.netrc = netrc;
    load.runInThisContext({ timeout });
  } catch (e) {
    if (e.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    out.push('hang\n');
    continue;
  }
  const answers = hosts.map((host) => {
    const machine = netrc.machines[host];
    if (!machine) return '-';
    return `${show(machine.login)},${show(machine.password)},${show(machine.account)}`;
  });
  out.push(answers.join(' ') + '\n');
}
process.stdout.write(out.join(''));
