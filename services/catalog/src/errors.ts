import { defineProblem } from '@platform/chassis';

export const ProductNotFound = defineProblem({
  code: 'PRODUCT_NOT_FOUND',
  status: 404,
  title: 'Product not found',
});
export const SkuTaken = defineProblem({
  code: 'SKU_TAKEN',
  status: 409,
  title: 'A product with this SKU exists',
});
export const UnknownCategory = defineProblem({
  code: 'UNKNOWN_CATEGORY',
  status: 422,
  title: 'No such category',
});
