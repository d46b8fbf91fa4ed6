// The crash suite with SAGA_MODE=choreography.
import { checkoutCrash } from './checkout-crash.ts';

checkoutCrash('choreography');
