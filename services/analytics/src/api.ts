import { Type } from '@platform/chassis';
import { ListQuery, Page } from '@platform/contracts';

// The analytics API's shapes. Money is integer minor units, always beside its currency.

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' });
const Day = Type.String({ format: 'date', description: 'UTC date, YYYY-MM-DD' });
const Count = Type.Integer({ minimum: 0 });
const Minor = Type.Integer({ description: 'minor units of `currency`' });
const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);

export const DailySalesQuery = ListQuery({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  currency: Type.Optional(Currency),
});
export const DailySales = Type.Object({
  day: Day,
  currency: Currency,
  orders: Count,
  units: Count,
  gross: Minor,
  refunded: Minor,
  net: Minor,
});
export const DailySalesPage = Page(DailySales);

export const CategorySalesQuery = ListQuery({ currency: Type.Optional(Currency) });
export const CategorySales = Type.Object({
  category: Type.String(),
  currency: Currency,
  orders: Count,
  units: Count,
  revenue: Minor,
});
export const CategorySalesPage = Page(CategorySales);

export const TopProductsQuery = ListQuery({
  by: Type.Union([Type.Literal('units'), Type.Literal('revenue')], { default: 'units' }),
  currency: Type.Optional(Currency),
});
export const ProductSales = Type.Object({
  productId: Type.String({ format: 'uuid' }),
  sku: Type.String(),
  name: Type.String(),
  currency: Currency,
  orders: Count,
  units: Count,
  revenue: Minor,
});
export const ProductSalesPage = Page(ProductSales);

export const Funnel = Type.Object({
  created: Count,
  confirmed: Count,
  rejected: Count,
  cancelled: Count,
  delivered: Count,
  conversion: Type.Object(
    { confirmed: Rate, rejected: Rate, cancelled: Rate, delivered: Rate },
    { description: 'share of created orders that reached the stage; null before any order' },
  ),
});

export const DeliveryTime = Type.Object({
  orders: Count,
  averageSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
    description: 'mean time from placing the order to its delivery; null before any delivery',
  }),
});

export const RevenueQuery = Type.Object({ currency: Type.Optional(Currency) });
export const Revenue = Type.Object({
  currency: Currency,
  orders: Count,
  gross: Minor,
  refunded: Minor,
  net: Minor,
});
export const RevenueList = Type.Object({ data: Type.Array(Revenue) });

export const RebuildReport = Type.Object({
  events: Count,
  applied: Count,
  duplicates: Count,
  orders: Count,
  startedAt: Type.String({ format: 'date-time' }),
  tookMs: Count,
});

export const ProjectionStatus = Type.Object({
  eventsApplied: Count,
  lastEventAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lagSeconds: Type.Number({ minimum: 0 }),
  lastRebuild: Type.Union([
    Type.Object({
      startedAt: Type.String({ format: 'date-time' }),
      finishedAt: Type.String({ format: 'date-time' }),
      events: Count,
      orders: Count,
    }),
    Type.Null(),
  ]),
});
