'use strict';
// Shared helpers: a hard timeout so a silent TLS failure (the Azure clients retry for minutes) cannot hang CI.
function required(name) {
  const value = process.env[name];
  if (!value) { console.error(`missing env ${name}`); process.exit(2); }
  return value;
}

function deadline(seconds) {
  const timer = setTimeout(() => { console.error(`TIMEOUT after ${seconds}s`); process.exit(3); }, seconds * 1000);
  timer.unref();
}

function done(line) {
  console.log(line);
  process.exit(0);
}

function fail(err) {
  console.error('FAILED', err && (err.stack || err.message || err));
  process.exit(1);
}

module.exports = { required, deadline, done, fail };
