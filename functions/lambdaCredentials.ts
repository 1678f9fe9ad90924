/**
 * The AWS credentials of Tickwork's Lambda bundles, in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, which `FUNCTION_BUILD` in infra/plugin.ts aliases to this
 * module). Lambda hands a function its role's credentials in the environment (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the first place the default chain looks. The rest of
 * that chain — profiles, SSO, login, web identity, credential processes, and the STS and SSO clients
 * they bring — serves developer machines, and was a quarter of the tick's bundle and of its cold import
 * (`npm run bench`, budget 2). Container credentials (`AWS_CONTAINER_CREDENTIALS_*`) are still read,
 * for a runtime that hands them out that way.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';

/** What the SDK's default chain is called with; only the logger is used here. */
type ProviderInit = Parameters<typeof fromEnv>[0];
type CredentialProvider = ReturnType<typeof fromEnv>;

const CONTAINER_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];

/** On serverless-offline, where a profile or SSO login would have served the SDK's own chain (README "Add Tickwork to your project"). */
const OFFLINE_HINT =
  '. Under serverless offline, export them before starting it (any values do for a DynamoDB Local that AWS_ENDPOINT_URL_DYNAMODB points at; `eval "$(aws configure export-credentials --format env)"` exports a profile\'s), or run `npx tickwork start`, which sets local ones and the endpoints';

/**
 * The SDK clients' `credentialDefaultProvider`, with the default chain's name. Credentials are kept
 * until shortly before they expire, as the default chain keeps them: the client asks for them on every
 * request.
 */
export function defaultProvider(init: ProviderInit = {}): CredentialProvider {
  const environment = fromEnv(init);
  const provider: CredentialProvider = async () => {
    try {
      return await environment();
    } catch (error) {
      if (CONTAINER_VARIABLES.some((name) => process.env[name])) return fromHttp(init ?? {})();
      throw Object.assign(
        new Error(
          "No AWS credentials: Tickwork's Lambda bundles read them from the environment Lambda sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or from container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI); neither is set" +
            (process.env.IS_OFFLINE === 'true' ? OFFLINE_HINT : ''),
          { cause: error },
        ),
        { name: 'CredentialsProviderError' },
      );
    }
  };
  return memoizeIdentityProvider(provider, isIdentityExpired, doesIdentityRequireRefresh) as CredentialProvider;
}
