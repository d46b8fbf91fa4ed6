// Choreography: shipping waits for the order, its stock and its payment, in any order.

export interface PendingOrder {
  orderCreated: boolean;
  stockReserved: boolean;
  paymentAuthorized: boolean;
  /** Shipping already tried to schedule this order (scheduled or failed): never twice. */
  settled: boolean;
}

/** True once all three facts are in and shipping has not decided yet. */
export function readyToSchedule(order: PendingOrder): boolean {
  return order.orderCreated && order.stockReserved && order.paymentAuthorized && !order.settled;
}
