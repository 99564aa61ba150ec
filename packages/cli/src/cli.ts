#!/usr/bin/env node
console.log('kbot');
