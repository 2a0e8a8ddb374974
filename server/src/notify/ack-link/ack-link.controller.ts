import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../../auth/auth.decorators';
import { renderAckPage, type AckPage } from './ack-page';
import { AckLinks } from './ack-links.service';

/** The page answers in HTML for a person, never cached: what it says changes once the link is used. */
async function sendPage(res: Response, page: Promise<AckPage>): Promise<void> {
  const p = await page;
  res.status(p.status).type('html').set('cache-control', 'no-store').send(renderAckPage(p));
}

/**
 * `/ack/<token>`, the acknowledge link in e-mails. Public on purpose, and the one such route
 * that changes an incident: the person has no session, the signed token is the credential (for
 * one incident, one person, until it expires, once), so the session guard and its CSRF check
 * do not apply; the service refuses a POST whose Origin is another site's.
 */
@Controller('ack')
@Public()
export class AckLinkController {
  constructor(private readonly links: AckLinks) {}

  @Get(':token')
  view(@Param('token') token: string, @Res() res: Response) {
    return sendPage(res, this.links.view(token));
  }

  @Post(':token')
  acknowledge(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    return sendPage(res, this.links.acknowledge(token, req.headers));
  }
}
