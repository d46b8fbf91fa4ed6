import { defineProblem } from '@platform/chassis';

export const ProductNotFound = defineProblem({
  code: 'PRODUCT_NOT_FOUND',
  status: 404,
  title: 'Product not found',
});
