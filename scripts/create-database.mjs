#!/usr/bin/env node
// Drops and creates the database named in the given URL (connecting to its `postgres` db).
import pg from 'pg';

const url = new URL(process.argv[2]);
const name = url.pathname.slice(1);
if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
const adminUrl = new URL(url);
adminUrl.pathname = '/postgres';
const client = new pg.Client({ connectionString: adminUrl.toString() });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await client.query(`CREATE DATABASE ${name}`);
await client.end();
console.log(`database ${name} created`);
