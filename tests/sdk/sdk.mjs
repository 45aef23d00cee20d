// The official OpenAI Node SDK against `gatehouse serve`, with Gatehouse tokens instead of
// the admin key. Run by crates/bff/tests/sdk_node.rs with GATEHOUSE_URL, GATEHOUSE_WRITE_TOKEN
// and GATEHOUSE_READ_TOKEN set; exits non-zero (with the reason) on the first broken promise.
import assert from "node:assert/strict";
import OpenAI from "openai";

const baseURL = `${process.env.GATEHOUSE_URL}/api/v1`;
const writer = new OpenAI({ adminAPIKey: process.env.GATEHOUSE_WRITE_TOKEN, baseURL });
const reader = new OpenAI({ adminAPIKey: process.env.GATEHOUSE_READ_TOKEN, baseURL });
const org = writer.admin.organization;

// Auto-pagination through Gatehouse: small pages, every user, none twice.
const ids = [];
for await (const user of org.users.list({ limit: 2 })) ids.push(user.id);
assert.ok(ids.length > 2, `expected several pages of users, got ${ids.length}`);
assert.equal(new Set(ids).size, ids.length, "a user came twice");

// An array query the SDK encodes as emails[]=…
const first = await org.users.retrieve(ids[0]);
const byEmail = await org.users.list({ emails: [first.email] });
assert.deepEqual(byEmail.data.map((u) => u.id), [first.id]);

// The audit log, filtered.
const events = await org.auditLogs.list({ limit: 5, event_types: ["project.created"] });
for (const event of events.data) assert.equal(event.type, "project.created");

// Create and archive a project; create a service account and read its one-time key.
const project = await org.projects.create({ name: `SDK project ${Date.now()}` });
assert.match(project.id, /^proj_/);
const account = await org.projects.serviceAccounts.create(project.id, { name: "sdk-bot" });
assert.ok(account.api_key?.value, "the service account's one-time key");
const archived = await org.projects.archive(project.id);
assert.equal(archived.status, "archived");

// A read token reads, and its write raises PermissionDeniedError.
const page = await reader.admin.organization.projects.list({ limit: 1 });
assert.equal(page.data.length, 1);
await assert.rejects(
  reader.admin.organization.projects.create({ name: "not allowed" }),
  (error) => error instanceof OpenAI.PermissionDeniedError && /read access only/.test(error.message),
);

// A wrong token raises AuthenticationError, without the token in its message.
const wrong = `ghtk_${"Z".repeat(43)}`;
const stranger = new OpenAI({ adminAPIKey: wrong, baseURL, maxRetries: 0 });
await assert.rejects(stranger.admin.organization.users.list(), (error) => {
  return error instanceof OpenAI.AuthenticationError && !error.message.includes(wrong);
});

// An unknown parameter is still a 400 naming it.
await assert.rejects(
  org.users.list({ colour: "red" }),
  (error) => error instanceof OpenAI.BadRequestError && /colour/.test(error.message),
);
console.log(JSON.stringify({ users: ids.length, project: project.id, service_account: account.id }));
