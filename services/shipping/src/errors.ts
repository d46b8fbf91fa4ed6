import { defineProblem } from '@platform/chassis';

export const ShipmentNotFound = defineProblem({
  code: 'SHIPMENT_NOT_FOUND',
  status: 404,
  title: 'Shipment not found',
});
export const CurrencyNotSupported = defineProblem({
  code: 'CURRENCY_NOT_SUPPORTED',
  status: 422,
  title: 'We do not quote in this currency',
});
export const NoService = defineProblem({
  code: 'NO_SERVICE',
  status: 422,
  title: 'We do not ship to this country',
});
