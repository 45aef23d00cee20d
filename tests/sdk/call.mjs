// One SDK call with a Gatehouse token, for the browser test (crates/bff/tests/e2e_browser.rs):
// prints `ok N` (users on the first page) or the SDK's error class, such as AuthenticationError.
import OpenAI from "openai";

const client = new OpenAI({
  adminAPIKey: process.env.GATEHOUSE_TOKEN,
  baseURL: `${process.env.GATEHOUSE_URL}/api/v1`,
  maxRetries: 0,
});
try {
  const page = await client.admin.organization.users.list({ limit: 5 });
  console.log(`ok ${page.data.length}`);
} catch (error) {
  console.log(error.constructor.name);
}
