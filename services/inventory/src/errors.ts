import { defineProblem } from '@platform/chassis';

export const StockNotFound = defineProblem({
  code: 'STOCK_NOT_FOUND',
  status: 404,
  title: 'No stock is kept for this product',
});
export const StockBelowReserved = defineProblem({
  code: 'STOCK_BELOW_RESERVED',
  status: 409,
  title: 'On-hand stock cannot go below what is reserved',
});
export const ReservationNotFound = defineProblem({
  code: 'RESERVATION_NOT_FOUND',
  status: 404,
  title: 'No reservation for this order',
});
