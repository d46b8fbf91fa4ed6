import { defineProblem } from '@platform/chassis';

export const QuantityTooLarge = defineProblem({
  code: 'QUANTITY_TOO_LARGE',
  status: 422,
  title: 'A cart line holds at most 99 of a product',
});
export const ItemNotInCart = defineProblem({
  code: 'ITEM_NOT_IN_CART',
  status: 404,
  title: 'The product is not in the cart',
});
export const UnknownProduct = defineProblem({
  code: 'UNKNOWN_PRODUCT',
  status: 422,
  title: 'No such product in the catalog',
});
export const CurrencyNotSupported = defineProblem({
  code: 'CURRENCY_NOT_SUPPORTED',
  status: 422,
  title: "The product is not priced in the shop's currency",
});
export const CatalogUnavailable = defineProblem({
  code: 'CATALOG_UNAVAILABLE',
  status: 503,
  title: 'The catalog cannot be reached to look the product up',
});
