import { defineProblem } from '@platform/chassis';

export const OrderNotFound = defineProblem({
  code: 'ORDER_NOT_FOUND',
  status: 404,
  title: 'Order not found',
});
export const CancelTooLate = defineProblem({
  code: 'ORDER_NOT_CANCELLABLE',
  status: 409,
  title: 'The order can no longer be cancelled',
});
export const CartEmpty = defineProblem({ code: 'CART_EMPTY', status: 422, title: 'The cart is empty' });
export const UnknownProduct = defineProblem({
  code: 'UNKNOWN_PRODUCT',
  status: 422,
  title: 'No such product',
});
export const PriceChanged = defineProblem({
  code: 'PRICE_CHANGED',
  status: 409,
  title: 'Prices changed since the cart was shown',
});
export const MixedCurrencies = defineProblem({
  code: 'MIXED_CURRENCIES',
  status: 422,
  title: 'An order is paid in one currency',
});
export const ShippingUnavailable = defineProblem({
  code: 'SHIPPING_UNAVAILABLE',
  status: 422,
  title: 'This address cannot be shipped to',
});
export const AddressInvalid = defineProblem({
  code: 'ADDRESS_INVALID',
  status: 422,
  title: 'The shipping address is not valid',
});
export const CardRejected = defineProblem({
  code: 'CARD_REJECTED',
  status: 422,
  title: 'The card was not accepted',
});
export const BadLastEventId = defineProblem({
  code: 'BAD_LAST_EVENT_ID',
  status: 400,
  title: 'Last-Event-ID is not an event id of this stream',
});
