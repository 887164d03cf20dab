import type Stripe from 'stripe';

/** The Stripe client type, usable anywhere without loading the SDK (the client itself comes from `./stripe`). */
export type TStripe = Stripe;
