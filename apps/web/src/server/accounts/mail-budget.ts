import { hitRateLimit } from '../rate-limit';
import { ACCOUNT_LIMITS } from './limits';

/** Every mail the app sends to an address someone typed counts here, whatever its kind: no mail bombing. */
export async function hitMailBudget(email: string): Promise<void> {
  const { mailsPerAddress } = ACCOUNT_LIMITS;
  await hitRateLimit('mail-to', email, mailsPerAddress.limit, mailsPerAddress.windowSeconds);
}
