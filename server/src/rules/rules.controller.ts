import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { RequireRole } from '../auth/auth.decorators';
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
  reload() {
    return { problems: this.rules.reload(), status: this.rules.rulesStatus() };
  }
}
