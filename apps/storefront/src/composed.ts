// The two pages the gateway composes for the shop in one call each (the storefront
// contract): the home page and a product's page. Checked against the contract, so a
// change on either side shows at once.
import { storefront } from '@platform/contracts';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { PlatformTrouble } from './errors.ts';
import { type Answer, answered, type Caller, type Gateway } from './gateway.ts';

function asContract<T>(schema: TSchema, answer: Answer<unknown>, what: string): T {
  const body = answered(answer, what);
  if (!Value.Check(schema, body)) throw new PlatformTrouble(`${what} does not match the storefront contract`);
  return body as T;
}

export async function homePage(gateway: Gateway, caller: Caller): Promise<storefront.StorefrontHome> {
  const answer = await gateway.get<storefront.StorefrontHome>('/api/v1/storefront/home', caller);
  return asContract(storefront.StorefrontHome, answer, 'the home page');
}

/** A product's page; undefined when there is no such product. */
export async function productPage(
  gateway: Gateway,
  caller: Caller,
  productId: string,
): Promise<storefront.StorefrontProductPage | undefined> {
  const answer = await gateway.get<storefront.StorefrontProductPage>(
    `/api/v1/storefront/products/${productId}`,
    caller,
  );
  if (!answer.ok && answer.status < 500 && answer.status !== 401) return undefined;
  return asContract(storefront.StorefrontProductPage, answer, 'the product page');
}
