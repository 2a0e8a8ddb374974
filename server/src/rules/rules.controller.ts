import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from '../auth/auth.decorators';
import { RulesService } from './rules.service';

@Controller('api/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  /** When the rules were last loaded, and the problems of the last failed reload, if any. */
  @Get('status')
  status() {
    return this.rules.rulesStatus();
  }

  @Post('reload')
  @HttpCode(200)
  @RequireRole('admin')
  reload(@CurrentPrincipal() p: Principal) {
    return { problems: this.rules.reload(userActor(p)), status: this.rules.rulesStatus() };
  }
}
