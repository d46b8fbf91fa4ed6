// What shipping's choreography needs of payment's facts: an authorization is one of the
// three facts a booking waits for; a failed payment cancels (or leaves a tombstone).
import { shippingHears } from './messages.ts';

shippingHears('payment', { 'shipping-choreography': ['payment.authorized', 'payment.failed'] });
