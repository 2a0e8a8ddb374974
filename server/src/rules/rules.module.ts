import { Global, Module } from '@nestjs/common';
import { RulesController } from './rules.controller';
import { RulesReloadAudit } from './rules-reload-audit';
import { RulesService } from './rules.service';

@Global()
@Module({ controllers: [RulesController], providers: [RulesService, RulesReloadAudit], exports: [RulesService] })
export class RulesModule {}
