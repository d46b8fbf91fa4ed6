import { type App, type Principal, Type } from '@platform/chassis';
import { shipping } from '@platform/contracts';
import { QUOTE_CURRENCIES, quoteShipping } from './domain/quote.ts';
import { CurrencyNotSupported, NoService, ShipmentNotFound } from './errors.ts';
import type { OwnedShipment, ShipmentViews } from './store.ts';

const PUBLIC = { access: 'public' } as const;
const USER = { access: 'user' } as const;
const tags = ['shipping'];
const ShipmentParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The shipment's owner and administrators may see it; to anyone else it does not exist. */
function mayView(principal: Principal | undefined, owned: OwnedShipment): boolean {
  if (!principal) return false;
  return principal.roles.includes('admin') || principal.subject === owned.userId;
}

export function registerShippingRoutes(
  app: App,
  views: ShipmentViews,
  options: { noServiceCountries: ReadonlySet<string> },
): void {
  app.post(
    '/api/v1/shipping/quotes',
    {
      config: { ...PUBLIC, errors: [NoService, CurrencyNotSupported] },
      schema: {
        tags,
        summary: 'What sending a parcel of this weight to this country costs',
        body: shipping.QuoteRequest,
        response: { 200: shipping.Quote },
      },
    },
    async (request) => {
      const outcome = quoteShipping(request.body, options.noServiceCountries);
      if (outcome.ok) return outcome.quote;
      if (outcome.refusal === 'NO_SERVICE') throw new NoService(`We do not ship to ${request.body.country}`);
      throw new CurrencyNotSupported(
        `We quote in ${QUOTE_CURRENCIES.join(' and ')}, not ${request.body.currency}`,
      );
    },
  );

  app.get(
    '/api/v1/shipments',
    {
      config: USER,
      schema: {
        tags,
        summary: "An order's shipments (only the owner's, or any for an admin)",
        querystring: shipping.ShipmentQuery,
        response: { 200: shipping.ShipmentList },
      },
    },
    async (request) => {
      const found = await views.byOrder(request.query.orderId);
      return {
        data: found.filter((owned) => mayView(request.principal, owned)).map((owned) => owned.shipment),
      };
    },
  );

  app.get(
    '/api/v1/shipments/:id',
    {
      config: { ...USER, errors: [ShipmentNotFound] },
      schema: {
        tags,
        summary: 'One shipment with its tracking history',
        params: ShipmentParams,
        response: { 200: shipping.Shipment },
      },
    },
    async (request) => {
      const owned = await views.byId(request.params.id);
      if (!owned || !mayView(request.principal, owned)) {
        throw new ShipmentNotFound(`No shipment with id ${request.params.id}`);
      }
      return owned.shipment;
    },
  );
}
