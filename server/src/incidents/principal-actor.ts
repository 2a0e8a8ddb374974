import { userActor, type Principal } from '../auth/auth.decorators';
import type { Actor } from './actor';

/** A request made with an API token (the console uses one too) acts as that token's user. */
export const actorOf = (p: Principal): Actor => userActor(p);
